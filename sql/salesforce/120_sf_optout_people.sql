-- Every person with an opt-out seen on a two-way side, and where: the SIA
-- unsubscribe export (actions), the person's Salesforce lead or contact
-- with HasOptedOutOfEmail (salesforce_lead, salesforce_contact). The
-- Salesforce record to write is the contact when the person has one (a
-- converted lead is read-only in Salesforce), else the lead.
CREATE TEMP TABLE sf_optouts AS
WITH seen AS (
    SELECT marketo_id, 'actions' AS source FROM sf_sia_unsub WHERE marketo_id IS NOT NULL
    UNION
    SELECT marketo_id, CASE sobject WHEN 'Contact' THEN 'salesforce_contact' ELSE 'salesforce_lead' END
    FROM sf_sf_optout WHERE opted_out AND marketo_id IS NOT NULL
)
SELECT p.marketo_id,
       list(s.source ORDER BY s.source) AS sources,
       CASE WHEN p.sfdc_contact_id IS NOT NULL THEN 'Contact' WHEN p.sfdc_lead_id IS NOT NULL THEN 'Lead' END AS sobject,
       coalesce(p.sfdc_contact_id, p.sfdc_lead_id) AS record_id
FROM seen s JOIN people p USING (marketo_id)
GROUP BY p.marketo_id, p.sfdc_contact_id, p.sfdc_lead_id;
