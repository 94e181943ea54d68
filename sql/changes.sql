-- Change detection (DESIGN §3 load). $1: run id, $2: true for a --full run.
-- insert: eligible and never synced; update: active and one of the 13 fields
-- or the sales owner differs (other attributes are not an update);
-- reactivate: inactive and eligible again; deactivate: active and excluded
-- by this run, or (--full) absent from every input of the run.
INSERT INTO changes
WITH diff AS (
    -- Only people already in the state can differ; new ones are inserts
    -- and need no per-field comparison.
    SELECT
        i.marketo_id,
        p.status,
        list_filter([
            CASE WHEN i.first_name          IS DISTINCT FROM p.first_name          THEN 'first_name' END,
            CASE WHEN i.last_name           IS DISTINCT FROM p.last_name           THEN 'last_name' END,
            CASE WHEN i.email               IS DISTINCT FROM p.email               THEN 'email' END,
            CASE WHEN i.phone               IS DISTINCT FROM p.phone               THEN 'phone' END,
            CASE WHEN i.company             IS DISTINCT FROM p.company             THEN 'company' END,
            CASE WHEN i.title               IS DISTINCT FROM p.title               THEN 'title' END,
            CASE WHEN i.linkedin_url        IS DISTINCT FROM p.linkedin_url        THEN 'linkedin_url' END,
            CASE WHEN i.source              IS DISTINCT FROM p.source              THEN 'source' END,
            CASE WHEN i.sfdc_lead_id        IS DISTINCT FROM p.sfdc_lead_id        THEN 'sfdc_lead_id' END,
            CASE WHEN i.sfdc_contact_id     IS DISTINCT FROM p.sfdc_contact_id     THEN 'sfdc_contact_id' END,
            CASE WHEN i.sfdc_account_id     IS DISTINCT FROM p.sfdc_account_id     THEN 'sfdc_account_id' END,
            CASE WHEN i.sfdc_opportunity_id IS DISTINCT FROM p.sfdc_opportunity_id THEN 'sfdc_opportunity_id' END,
            CASE WHEN i.sales_owner_id      IS DISTINCT FROM p.sales_owner_id      THEN 'sales_owner_id' END
        ], f -> f IS NOT NULL) AS changed
    FROM incoming i
    JOIN people p USING (marketo_id)
),
seen AS (
    SELECT marketo_id FROM incoming
    UNION ALL
    SELECT marketo_id FROM exclusions WHERE run_id = $1
)
SELECT $1, marketo_id, 'insert', NULL::VARCHAR[], NULL
FROM incoming WHERE marketo_id NOT IN (SELECT marketo_id FROM people)
UNION ALL
SELECT $1, marketo_id, 'reactivate', changed, NULL
FROM diff WHERE status = 'inactive'
UNION ALL
SELECT $1, marketo_id, 'update', changed, NULL
FROM diff WHERE status = 'active' AND len(changed) > 0
UNION ALL
SELECT $1, p.marketo_id, 'deactivate', NULL::VARCHAR[], x.reason
FROM exclusions x
JOIN people p USING (marketo_id)
WHERE x.run_id = $1 AND p.status = 'active'
UNION ALL
SELECT $1, p.marketo_id, 'deactivate', NULL::VARCHAR[], 'missing_from_full_export'
FROM people p
WHERE $2 AND p.status = 'active'
  AND p.marketo_id NOT IN (SELECT marketo_id FROM seen);
