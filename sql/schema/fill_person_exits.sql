-- Builds person_exits (schema.sql) from the whole history, once, for a
-- state made before the table existed: the same rule as
-- finish/010_run_exits.sql and finish/020_update_person_exits.sql over every run (of equal exits,
-- the first run's).
INSERT INTO person_exits
SELECT marketo_id, end_at, reason, run_id
FROM (
    SELECT marketo_id, updated_at AS end_at, reason, run_id
    FROM exclusions WHERE updated_at IS NOT NULL
    UNION ALL
    SELECT marketo_id, activity_date, reason, run_id
    FROM lifecycle_events WHERE outcome <> 'superseded'
)
QUALIFY row_number() OVER (PARTITION BY marketo_id ORDER BY end_at DESC, reason DESC, run_id) = 1;
