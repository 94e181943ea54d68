-- Inserts the run's newly synced people; a late row (040_incoming_view.sql)
-- inserts its person inactive. $1: run id. last_changed_run_id is
-- stamped by finish/030_mark_changed.sql.
INSERT INTO people
SELECT
    i.marketo_id, i.first_name, i.last_name, i.email, i.phone, i.company, i.title,
    i.linkedin_url, i.source, i.sfdc_lead_id, i.sfdc_contact_id, i.sfdc_account_id,
    i.sfdc_opportunity_id, i.sales_owner_id, i.sfdc_type, i.marketo_unsubscribed,
    i.marketo_updated_at,
    CASE WHEN i.late THEN 'inactive' ELSE 'active' END, i.late_reason, i.email_key,
    $1, $1, f.path, i.source_line
FROM incoming i
JOIN inputs f ON f.run_id = $1 AND f.file_index = i.source_file
WHERE i.marketo_id NOT IN (SELECT marketo_id FROM people);
