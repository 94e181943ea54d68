-- The run's exits, one per person, for 020_update_person_exits.sql: its
-- exclusions (the stale ones are gone by now) and its Merge Leads / Delete
-- Lead events that applied. Of a person's several, the newest by time;
-- equal times take the greater reason, so that person_exits does not
-- depend on the order runs came in. $1: run id.
CREATE OR REPLACE TEMP TABLE run_exits AS
SELECT marketo_id, end_at, reason, $1::BIGINT AS run_id
FROM (
    SELECT marketo_id, updated_at AS end_at, reason
    FROM exclusions WHERE run_id = $1 AND updated_at IS NOT NULL
    UNION ALL
    SELECT marketo_id, activity_date, reason
    FROM lifecycle_events WHERE run_id = $1 AND outcome <> 'superseded'
)
QUALIFY row_number() OVER (PARTITION BY marketo_id ORDER BY end_at DESC, reason DESC) = 1;
