-- The run report's salesforce counts (pipeline.SalesforceCounts), in the
-- order the step scans them. $1: run id.
SELECT
    (SELECT count(*) FROM sf_sia),
    (SELECT count(*) FROM sf_sf),
    (SELECT count(*) FROM sf_sf WHERE NOT is_reminder),
    (SELECT count(*) FROM sf_pairs WHERE kind = 'paired_by_link'),
    (SELECT count(*) FROM sf_pairs WHERE kind = 'paired_by_key'),
    (SELECT count(*) FROM task_changes_to_salesforce WHERE run_id = $1 AND op = 'create'),
    (SELECT count(*) FROM task_changes_to_salesforce WHERE run_id = $1 AND op = 'update'),
    (SELECT count(*) FROM task_changes_to_actions WHERE run_id = $1 AND op = 'create'),
    (SELECT count(*) FROM task_changes_to_actions WHERE run_id = $1 AND op = 'update'),
    (SELECT count(*) FROM task_changes_to_actions WHERE run_id = $1 AND op = 'delete'),
    (SELECT count(*) FROM task_conflicts WHERE run_id = $1),
    (SELECT count(*) FROM sf_sia_unsub WHERE person_match <> 'not_unsubscribed'),
    (SELECT count(*) FROM sf_sf_optout WHERE opted_out),
    (SELECT count(*) FROM optout_changes_to_salesforce WHERE run_id = $1),
    (SELECT count(*) FROM optout_changes_to_actions WHERE run_id = $1),
    (SELECT count(*) FROM sf_optouts WHERE record_id IS NULL),
    (SELECT count(*) FROM sf_sia_unsub WHERE person_match = 'person_unknown'),
    (SELECT count(*) FROM sf_sf_optout WHERE opted_out AND marketo_id IS NULL),
    -- Marketo-unsubscribed people whose Salesforce record (contact, else
    -- lead) is not shown opted out and not already asked for by a run.
    (SELECT count(*) FROM people p
     WHERE p.marketo_unsubscribed AND coalesce(p.sfdc_contact_id, p.sfdc_lead_id) IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM sf_sf_optout r WHERE r.id = coalesce(p.sfdc_contact_id, p.sfdc_lead_id) AND r.opted_out)
       AND NOT EXISTS (SELECT 1 FROM optout_state s WHERE s.side = 'salesforce' AND s.record_id = coalesce(p.sfdc_contact_id, p.sfdc_lead_id)));
