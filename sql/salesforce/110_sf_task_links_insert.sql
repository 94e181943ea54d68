-- The state after the run, one row per tracked pair: every pair this run
-- synced, created, deleted or found still waiting, and every state row it
-- continued. Each side keeps the values this run saw (or, when absent from
-- the export, the values seen before); agreed holds what both sides were
-- told. Lone tasks that were not created (too old, before
-- --task-sync-since, no person) leave no state: a later change can still
-- bring them in.
-- $1: run id.
INSERT INTO task_links
WITH g AS (
    SELECT pair_no,
           any_value(agreed) FILTER (WHERE field = 'subject') AS subject,
           any_value(agreed) FILTER (WHERE field = 'due_date') AS due_date,
           any_value(agreed) FILTER (WHERE field = 'completed') AS completed
    FROM sf_fields GROUP BY pair_no
)
SELECT CASE WHEN p.action = 'create_in_actions' THEN NULL ELSE p.actions_task_id END,
       CASE WHEN p.action = 'create_in_salesforce' THEN NULL ELSE p.salesforce_task_id END,
       p.marketo_id,
       coalesce(p.base_origin, CASE p.action WHEN 'create_in_salesforce' THEN 'created_in_salesforce'
                                             WHEN 'create_in_actions' THEN 'created_in_actions'
                                             ELSE p.kind END),
       CASE WHEN p.a_present OR p.base_a_present THEN p.a_subject END,
       CASE WHEN p.a_present OR p.base_a_present THEN p.a_due_date END,
       CASE WHEN p.a_present OR p.base_a_present THEN p.a_completed END,
       CASE WHEN p.a_present OR p.base_a_present THEN p.a_updated_at END,
       CASE WHEN p.s_present OR p.base_s_present THEN p.s_subject END,
       CASE WHEN p.s_present OR p.base_s_present THEN p.s_activity_date END,
       CASE WHEN p.s_present OR p.base_s_present THEN p.s_is_closed END,
       CASE WHEN p.s_present OR p.base_s_present THEN p.s_modified_at END,
       CASE WHEN g.pair_no IS NOT NULL THEN g.subject
            WHEN p.action = 'create_in_salesforce' THEN p.a_subject
            WHEN p.action = 'create_in_actions' THEN p.s_subject
            ELSE p.agreed_subject END,
       CASE WHEN g.pair_no IS NOT NULL THEN CAST(g.due_date AS DATE)
            WHEN p.action = 'create_in_salesforce' THEN p.a_due_date
            WHEN p.action = 'create_in_actions' THEN p.s_activity_date
            ELSE p.agreed_due_date END,
       CASE WHEN g.pair_no IS NOT NULL THEN CAST(g.completed AS BOOLEAN)
            WHEN p.action = 'create_in_salesforce' THEN p.a_completed
            WHEN p.action = 'create_in_actions' THEN p.s_is_closed
            ELSE p.agreed_completed END,
       CASE WHEN p.action = 'delete_in_actions' THEN $1 ELSE p.deleted_run_id END,
       coalesce(p.base_first_run_id, $1),
       $1
FROM sf_pairs p LEFT JOIN g USING (pair_no)
WHERE p.action IN ('sync', 'create_in_salesforce', 'create_in_actions', 'delete_in_actions',
                   'awaiting_salesforce', 'awaiting_actions')
   OR p.link_a IS NOT NULL OR p.link_s IS NOT NULL;
