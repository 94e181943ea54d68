-- How many pairs and lone tasks got each action of 050_sf_task_pairs.sql, for
-- the run report.
SELECT action, count(*) FROM sf_pairs GROUP BY action ORDER BY action;
