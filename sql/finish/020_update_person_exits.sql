-- Folds the run's exits (010_run_exits.sql) into person_exits (schema/schema.sql): a
-- person keeps the newest exit by time, equal times the greater reason; a
-- person's first exit is added.
UPDATE person_exits
SET ended_at = r.end_at, reason = r.reason, run_id = r.run_id
FROM run_exits r
WHERE person_exits.marketo_id = r.marketo_id
  AND (r.end_at, r.reason) > (person_exits.ended_at, person_exits.reason);

INSERT INTO person_exits
SELECT marketo_id, end_at, reason, run_id FROM run_exits
WHERE marketo_id NOT IN (SELECT marketo_id FROM person_exits);

DROP TABLE run_exits;
