-- Remembers what this run asked each side to apply, so that a rerun with
-- the same inputs asks nothing again. $1: run id.
INSERT INTO optout_state
SELECT 'salesforce', marketo_id, record_id, run_id FROM optout_changes_to_salesforce WHERE run_id = $1
UNION ALL
SELECT 'actions', marketo_id, NULL, run_id FROM optout_changes_to_actions WHERE run_id = $1;
