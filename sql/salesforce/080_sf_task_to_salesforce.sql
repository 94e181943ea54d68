-- What Salesforce must apply to its Tasks: an update per synced pair where
-- the SIA side won a field (changed_fields lists them; subject,
-- activity_date and status hold the Task's values after the update), and a
-- create per new SIA reminder task. A create names WhoId = the contact,
-- else the lead; WhatId = the opportunity, else the account, and none for
-- a lead (docs/design.md "Reconciliation"); OwnerId = the sales owner
-- when it is a user id.
-- Status is 'Completed' or 'Not Started' when completion changes, else
-- Salesforce's own.
-- $1: run id.
INSERT INTO task_changes_to_salesforce
WITH won AS (
    SELECT pair_no, list(field ORDER BY field) AS fields, bool_or(conflict) AS conflict
    FROM sf_fields WHERE winner = 'actions' GROUP BY pair_no
)
SELECT $1, 'update', p.salesforce_task_id, p.actions_task_id, p.marketo_id,
       NULL, NULL, NULL,
       CASE WHEN list_contains(w.fields, 'subject') THEN left(p.a_subject, 255) ELSE p.s_subject END,
       CASE WHEN list_contains(w.fields, 'due_date') THEN p.a_due_date ELSE p.s_activity_date END,
       CASE WHEN list_contains(w.fields, 'completed') THEN (CASE WHEN p.a_completed THEN 'Completed' ELSE 'Not Started' END)
            ELSE p.s_status END,
       'Task', w.fields,
       CASE WHEN w.conflict THEN 'conflict_actions_newer' ELSE 'changed_in_actions' END
FROM won w JOIN sf_pairs p USING (pair_no)
UNION ALL
SELECT $1, 'create', NULL, p.actions_task_id, p.marketo_id,
       coalesce(pe.sfdc_contact_id, pe.sfdc_lead_id),
       CASE WHEN pe.sfdc_contact_id IS NOT NULL THEN coalesce(pe.sfdc_opportunity_id, pe.sfdc_account_id) END,
       CASE WHEN pe.sales_owner_id LIKE '005%' THEN pe.sales_owner_id END,
       left(p.a_subject, 255), p.a_due_date,
       CASE WHEN p.a_completed THEN 'Completed' ELSE 'Not Started' END,
       'Task', ['completed', 'due_date', 'subject'], 'created_in_actions'
FROM sf_pairs p JOIN people pe ON pe.marketo_id = p.marketo_id
WHERE p.action = 'create_in_salesforce';
