-- R9: per person, over every activity ever loaded for them (matched or
-- person_inactive), counts by category, the last activity, the last sales
-- activity and the last Interesting Moment with its description: what the
-- Smart Grid shows a seller. One row per person; run_id is the run that last
-- recomputed it. $1: run id.
-- The rows of 060_activity_summary_delta.sql, merged from the stored row and
-- the run's activities, except for the people it marks recompute (a tie
-- between the stored and the run's last Interesting Moment), which are
-- computed here over every activity (this run's are in activities already).
INSERT INTO person_activity_summary
SELECT d.* EXCLUDE (recompute), $1
FROM activity_summary_delta d
WHERE NOT d.recompute
UNION ALL
SELECT
    a.marketo_id,
    count(*),
    count(*) FILTER (WHERE a.category = 'sales_email'),
    count(*) FILTER (WHERE a.category = 'sales_call'),
    count(*) FILTER (WHERE a.category = 'sales_campaign'),
    count(*) FILTER (WHERE a.category = 'marketing_email'),
    count(*) FILTER (WHERE a.category = 'web'),
    count(*) FILTER (WHERE a.category = 'form'),
    count(*) FILTER (WHERE a.category = 'interesting_moment'),
    count(*) FILTER (WHERE a.category = 'lifecycle'),
    count(*) FILTER (WHERE a.category = 'other'),
    max(a.activity_date),
    max(a.activity_date) FILTER (WHERE a.category IN ('sales_email', 'sales_call', 'sales_campaign')),
    max(a.activity_date) FILTER (WHERE a.category = 'interesting_moment'),
    max_by(coalesce(json_extract_string(a.attributes, '$."Description"'), a.primary_attribute_value),
           (a.activity_date, a.marketo_guid)) FILTER (WHERE a.category = 'interesting_moment'),
    $1
FROM activities a
WHERE a.marketo_id IN (SELECT marketo_id FROM activity_summary_delta WHERE recompute)
GROUP BY a.marketo_id;
