-- The Salesforce Leads and Contacts of the opt-out export, one row per
-- (record, person whose lead or contact id it is); a record of no person
-- has marketo_id NULL. Per record the latest row counts.
-- $1: staged Parquet of salesforce.SalesforceOptouts rows.
CREATE TEMP TABLE sf_sf_optout AS
WITH r AS (
    SELECT * FROM read_parquet($1)
    QUALIFY row_number() OVER (PARTITION BY id ORDER BY last_modified_date DESC NULLS LAST, source_file DESC, source_line DESC) = 1
)
SELECT r.id,
       CASE WHEN r.id LIKE '003%' THEN 'Contact' ELSE 'Lead' END AS sobject,
       r.has_opted_out_of_email AS opted_out,
       r.last_modified_date,
       p.marketo_id
FROM r
LEFT JOIN people p ON (r.id LIKE '003%' AND p.sfdc_contact_id = r.id) OR (r.id LIKE '00Q%' AND p.sfdc_lead_id = r.id);
