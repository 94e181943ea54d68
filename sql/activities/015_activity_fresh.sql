-- The run's unseen activities (keyed by marketoGUID: a re-delivered
-- activity is a no-op) with their match against people, as the people
-- table stands after the run's people changes, in the columns of the
-- activities table: a table macro, so that 020_activity_match.sql (the
-- snapshot) and 025_activity_insert.sql (the insert) read the same rows
-- without storing them in between. run: the run id; first_input: the
-- inputs.file_index of the run's first activity input; staged: read_parquet
-- glob of the staged activities (010_activity_stage.sql's repeats are left
-- out).
--   leadId given:  matched (active person), person_inactive, person_unknown.
--   no leadId:     by lower(trim(Email attribute)) against people.email_key:
--                  one active person → matched; several → ambiguous_email (R4);
--                  none active but some inactive → person_inactive;
--                  none, or no email → person_unknown.
-- marketo_id is the person for matched and person_inactive (by email: only
-- when exactly one inactive person has it).
-- The staged files are read straight into the statement that expands the
-- macro; people are joined on their integer id, and only the email keys of
-- rows without a leadId are grouped.
CREATE OR REPLACE TEMP MACRO activity_fresh(run, first_input, staged) AS TABLE
WITH emails AS (
    SELECT DISTINCT lower(trim(email)) AS email_key
    FROM read_parquet(staged)
    WHERE lead_id IS NULL AND email IS NOT NULL
),
by_email AS (
    SELECT p.email_key,
           count(*) FILTER (WHERE p.status = 'active') AS active_n,
           min(p.marketo_id) FILTER (WHERE p.status = 'active') AS active_id,
           count(*) AS any_n,
           min(p.marketo_id) AS any_id
    FROM people p
    SEMI JOIN emails w ON w.email_key = p.email_key
    GROUP BY p.email_key
),
fresh AS (
    SELECT s.*, CASE WHEN s.lead_id IS NULL THEN lower(trim(s.email)) END AS email_key
    FROM read_parquet(staged) s
    ANTI JOIN activity_repeats r ON r.source_file = s.source_file AND r.source_line = s.source_line
    ANTI JOIN activities a ON a.marketo_guid = s.marketo_guid
)
SELECT
    f.marketo_guid, f.lead_id, f.activity_date, f.activity_type_id, f.type_name, f.category,
    f.sales_kind, f.campaign_id, f.primary_attribute_value_id, f.primary_attribute_value,
    f.attributes, f.action_result, f.email,
    CASE
        WHEN f.lead_id IS NOT NULL THEN
            CASE WHEN p.marketo_id IS NULL THEN 'person_unknown'
                 WHEN p.status = 'active' THEN 'matched'
                 ELSE 'person_inactive' END
        WHEN e.active_n = 1 THEN 'matched'
        WHEN e.active_n > 1 THEN 'ambiguous_email'
        WHEN e.any_n > 0 THEN 'person_inactive'
        ELSE 'person_unknown'
    END AS match,
    CASE
        WHEN f.lead_id IS NOT NULL THEN p.marketo_id
        WHEN e.active_n = 1 THEN e.active_id
        WHEN e.active_n = 0 AND e.any_n = 1 THEN e.any_id
    END AS marketo_id,
    run AS run_id, i.path AS source_file, f.source_line
FROM fresh f
JOIN inputs i ON i.run_id = run AND i.file_index = first_input + f.source_file
LEFT JOIN people p ON p.marketo_id = f.lead_id
LEFT JOIN by_email e ON e.email_key = f.email_key;
