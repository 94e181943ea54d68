-- The run's new activities by category and by sales kind, for the run
-- report. $1: run id.
SELECT 'category' AS dimension, category AS key, count(*) AS n
FROM activities WHERE run_id = $1 GROUP BY category
UNION ALL
SELECT 'sales_kind', sales_kind, count(*)
FROM activities WHERE run_id = $1 AND sales_kind IS NOT NULL GROUP BY sales_kind
ORDER BY 1, 2;
