-- Writes the run's rows for people already in the state, where anything
-- stored differs (a synced field, a side attribute such as unsubscribed, or
-- the status), so that a rerun touches nothing. A late row
-- (040_incoming_view.sql) leaves its person inactive. $1: run id.
UPDATE people
SET first_name = i.first_name,
    last_name = i.last_name,
    email = i.email,
    phone = i.phone,
    company = i.company,
    title = i.title,
    linkedin_url = i.linkedin_url,
    source = i.source,
    sfdc_lead_id = i.sfdc_lead_id,
    sfdc_contact_id = i.sfdc_contact_id,
    sfdc_account_id = i.sfdc_account_id,
    sfdc_opportunity_id = i.sfdc_opportunity_id,
    sales_owner_id = i.sales_owner_id,
    sfdc_type = i.sfdc_type,
    marketo_unsubscribed = i.marketo_unsubscribed,
    marketo_updated_at = i.marketo_updated_at,
    status = CASE WHEN i.late THEN 'inactive' ELSE 'active' END,
    status_reason = i.late_reason,
    email_key = i.email_key,
    source_file = f.path,
    source_line = i.source_line
FROM incoming i
JOIN inputs f ON f.run_id = $1 AND f.file_index = i.source_file
WHERE people.marketo_id = i.marketo_id
  AND ((people.status, people.status_reason)
          IS DISTINCT FROM (CASE WHEN i.late THEN 'inactive' ELSE 'active' END, i.late_reason)
       OR (i.first_name, i.last_name, i.email, i.phone, i.company, i.title, i.linkedin_url,
           i.source, i.sfdc_lead_id, i.sfdc_contact_id, i.sfdc_account_id, i.sfdc_opportunity_id,
           i.sales_owner_id, i.sfdc_type, i.marketo_unsubscribed, i.marketo_updated_at)
          IS DISTINCT FROM
          (people.first_name, people.last_name, people.email, people.phone, people.company,
           people.title, people.linkedin_url, people.source, people.sfdc_lead_id,
           people.sfdc_contact_id, people.sfdc_account_id, people.sfdc_opportunity_id,
           people.sales_owner_id, people.sfdc_type, people.marketo_unsubscribed,
           people.marketo_updated_at));
