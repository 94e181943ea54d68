-- A first sync: the state holds no people and no exits, so every person the
-- run keeps is an insert, none can be stale or late (010_run_marks.sql would be
-- empty), and the pipeline's Arrow stream goes straight into people, once,
-- while the pipeline produces it. The same rows 080_insert_people.sql writes
-- for a new person. $1: run id.
INSERT INTO people
SELECT
    i.marketo_id, i.first_name, i.last_name, i.email, i.phone, i.company, i.title,
    i.linkedin_url, i.source, i.sfdc_lead_id, i.sfdc_contact_id, i.sfdc_account_id,
    i.sfdc_opportunity_id, i.sales_owner_id, i.sfdc_type, i.marketo_unsubscribed,
    i.marketo_updated_at, 'active', NULL, i.email_key, $1, $1, f.path, i.source_line
FROM people_stream i
JOIN inputs f ON f.run_id = $1 AND f.file_index = i.source_file;
