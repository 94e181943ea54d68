-- Change detection (docs/design.md "Pipeline", load). $1: run id, $2: true
-- for a --full run, $3: the run's as-of time.
-- insert: eligible and never synced; update: active and one of the 13 fields
-- or the sales owner differs (other attributes are not an update), or a
-- late row (040_incoming_view.sql) that changes fields of an inactive person;
-- reactivate: inactive and eligible again; deactivate: active and excluded
-- by this run, or (--full) absent from every input of the run and last
-- updated at or before its as-of time (an old export says nothing of
-- people updated after it). update and reactivate rows carry the old and
-- new values of their changed fields.
INSERT INTO changes (run_id, marketo_id, op, changed_fields, reason, old_values, new_values)
WITH pairs AS (
    -- Only people already in the state can differ; new ones are inserts
    -- and need no per-field comparison.
    SELECT
        i.marketo_id,
        p.status,
        i.late,
        list_zip(
            ['first_name', 'last_name', 'email', 'phone', 'company', 'title', 'linkedin_url',
             'source', 'sfdc_lead_id', 'sfdc_contact_id', 'sfdc_account_id',
             'sfdc_opportunity_id', 'sales_owner_id'],
            [p.first_name, p.last_name, p.email, p.phone, p.company, p.title, p.linkedin_url,
             p.source, p.sfdc_lead_id, p.sfdc_contact_id, p.sfdc_account_id,
             p.sfdc_opportunity_id, p.sales_owner_id],
            [i.first_name, i.last_name, i.email, i.phone, i.company, i.title, i.linkedin_url,
             i.source, i.sfdc_lead_id, i.sfdc_contact_id, i.sfdc_account_id,
             i.sfdc_opportunity_id, i.sales_owner_id]
        ) AS fields
    FROM incoming i
    JOIN people p USING (marketo_id)
),
diff AS (
    SELECT
        marketo_id, status, late,
        [f[1] FOR f IN fields IF f[2] IS DISTINCT FROM f[3]] AS changed,
        [f[2] FOR f IN fields IF f[2] IS DISTINCT FROM f[3]] AS old_values,
        [f[3] FOR f IN fields IF f[2] IS DISTINCT FROM f[3]] AS new_values
    FROM pairs
),
seen AS (
    SELECT marketo_id FROM incoming
    UNION ALL
    SELECT marketo_id FROM exclusions WHERE run_id = $1
    UNION ALL
    SELECT marketo_id FROM stale_rows WHERE run_id = $1
)
SELECT $1, marketo_id, 'insert', NULL::VARCHAR[], NULL, NULL::VARCHAR[], NULL::VARCHAR[]
FROM incoming WHERE marketo_id NOT IN (SELECT marketo_id FROM people)
UNION ALL
SELECT $1, marketo_id, 'reactivate', changed, NULL, old_values, new_values
FROM diff WHERE status = 'inactive' AND NOT late
UNION ALL
SELECT $1, marketo_id, 'update', changed, NULL, old_values, new_values
FROM diff WHERE (status = 'active' OR late) AND len(changed) > 0
UNION ALL
SELECT $1, p.marketo_id, 'deactivate', NULL::VARCHAR[], x.reason, NULL::VARCHAR[], NULL::VARCHAR[]
FROM exclusions x
JOIN people p USING (marketo_id)
WHERE x.run_id = $1 AND p.status = 'active'
UNION ALL
SELECT $1, p.marketo_id, 'deactivate', NULL::VARCHAR[], 'missing_from_full_export', NULL::VARCHAR[], NULL::VARCHAR[]
FROM people p
WHERE $2 AND p.status = 'active'
  AND (p.marketo_updated_at IS NULL OR p.marketo_updated_at <= $3)
  AND p.marketo_id NOT IN (SELECT marketo_id FROM seen);
