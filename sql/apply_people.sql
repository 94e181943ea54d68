-- Writes the run's synced people into people. $1: run id. Only rows that
-- differ from the state in any stored attribute are written, so a rerun
-- touches nothing; last_changed_run_id moves only with a change row.
INSERT INTO people
SELECT
    i.marketo_id, i.first_name, i.last_name, i.email, i.phone, i.company, i.title,
    i.linkedin_url, i.source, i.sfdc_lead_id, i.sfdc_contact_id, i.sfdc_account_id,
    i.sfdc_opportunity_id, i.sales_owner_id, i.sfdc_type, i.marketo_unsubscribed,
    i.marketo_updated_at, 'active', NULL, i.email_key,
    $1, $1, f.path, i.source_line
FROM incoming i
JOIN inputs f ON f.run_id = $1 AND f.file_index = i.source_file
LEFT JOIN people p USING (marketo_id)
WHERE p.marketo_id IS NULL
   OR p.status <> 'active'
   OR (i.first_name, i.last_name, i.email, i.phone, i.company, i.title, i.linkedin_url,
       i.source, i.sfdc_lead_id, i.sfdc_contact_id, i.sfdc_account_id, i.sfdc_opportunity_id,
       i.sales_owner_id, i.sfdc_type, i.marketo_unsubscribed, i.marketo_updated_at)
      IS DISTINCT FROM
      (p.first_name, p.last_name, p.email, p.phone, p.company, p.title, p.linkedin_url,
       p.source, p.sfdc_lead_id, p.sfdc_contact_id, p.sfdc_account_id, p.sfdc_opportunity_id,
       p.sales_owner_id, p.sfdc_type, p.marketo_unsubscribed, p.marketo_updated_at)
ON CONFLICT (marketo_id) DO UPDATE SET
    first_name = excluded.first_name,
    last_name = excluded.last_name,
    email = excluded.email,
    phone = excluded.phone,
    company = excluded.company,
    title = excluded.title,
    linkedin_url = excluded.linkedin_url,
    source = excluded.source,
    sfdc_lead_id = excluded.sfdc_lead_id,
    sfdc_contact_id = excluded.sfdc_contact_id,
    sfdc_account_id = excluded.sfdc_account_id,
    sfdc_opportunity_id = excluded.sfdc_opportunity_id,
    sales_owner_id = excluded.sales_owner_id,
    sfdc_type = excluded.sfdc_type,
    marketo_unsubscribed = excluded.marketo_unsubscribed,
    marketo_updated_at = excluded.marketo_updated_at,
    status = 'active',
    status_reason = NULL,
    email_key = excluded.email_key,
    source_file = excluded.source_file,
    source_line = excluded.source_line;
