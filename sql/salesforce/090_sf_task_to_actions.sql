-- What SIA must apply to its reminder tasks: an update per synced pair
-- where the Salesforce side won a field (subject, due_date and completed
-- hold the task's values after the update), a create per Salesforce
-- reminder task created or changed in the 24 hours before the as-of time
-- and unknown to SIA, and a delete per SIA task whose Salesforce Task was
-- deleted in the 15 days before it.
-- $1: run id.
INSERT INTO task_changes_to_actions
WITH won AS (
    SELECT pair_no, list(field ORDER BY field) AS fields, bool_or(conflict) AS conflict
    FROM sf_fields WHERE winner = 'salesforce' GROUP BY pair_no
)
SELECT $1, 'update', p.actions_task_id, p.salesforce_task_id, p.marketo_id,
       CASE WHEN list_contains(w.fields, 'subject') THEN p.s_subject ELSE p.a_subject END,
       CASE WHEN list_contains(w.fields, 'due_date') THEN p.s_activity_date ELSE p.a_due_date END,
       CASE WHEN list_contains(w.fields, 'completed') THEN p.s_is_closed ELSE p.a_completed END,
       w.fields,
       CASE WHEN w.conflict THEN 'conflict_salesforce_newer' ELSE 'changed_in_salesforce' END
FROM won w JOIN sf_pairs p USING (pair_no)
UNION ALL
SELECT $1, 'create', NULL, p.salesforce_task_id, p.marketo_id, p.s_subject, p.s_activity_date, p.s_is_closed,
       ['completed', 'due_date', 'subject'], 'created_in_salesforce'
FROM sf_pairs p WHERE p.action = 'create_in_actions'
UNION ALL
SELECT $1, 'delete', p.actions_task_id, p.salesforce_task_id, p.marketo_id, NULL, NULL, NULL,
       [], 'deleted_in_salesforce'
FROM sf_pairs p WHERE p.action = 'delete_in_actions';
