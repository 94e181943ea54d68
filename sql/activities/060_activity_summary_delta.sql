-- R9, incrementally: the new Smart Grid summary row of every person this
-- run has activities for (matched or person_inactive), from that person's
-- stored row and the run's activities alone, not from every activity ever
-- loaded. $1: run id.
--   counts:  stored + the run's;
--   last activity, last sales activity: the later of stored and the run's;
--   last Interesting Moment and its description: the run's when it is
--   later than the stored one, else the stored one.
-- The description is max_by over (activity_date, marketo_guid), and the
-- stored row does not keep the guid of its Interesting Moment: when the
-- run's latest Interesting Moment has the same date as the stored one,
-- recompute is true and 080_activity_summary_insert.sql recomputes that person
-- over every activity, as the non-incremental statement did for everyone.
-- The incremental form relies on the stored summary being the aggregate of
-- the stored activities, which every run keeps true.
CREATE OR REPLACE TEMP TABLE activity_summary_delta AS
WITH counts AS (
    SELECT
        a.marketo_id,
        count(*) AS activities,
        count(*) FILTER (WHERE a.category = 'sales_email') AS sales_email,
        count(*) FILTER (WHERE a.category = 'sales_call') AS sales_call,
        count(*) FILTER (WHERE a.category = 'sales_campaign') AS sales_campaign,
        count(*) FILTER (WHERE a.category = 'marketing_email') AS marketing_email,
        count(*) FILTER (WHERE a.category = 'web') AS web,
        count(*) FILTER (WHERE a.category = 'form') AS form,
        count(*) FILTER (WHERE a.category = 'interesting_moment') AS interesting_moment,
        count(*) FILTER (WHERE a.category = 'lifecycle') AS lifecycle,
        count(*) FILTER (WHERE a.category = 'other') AS other,
        max(a.activity_date) AS last_activity_at,
        max(a.activity_date) FILTER (WHERE a.category IN ('sales_email', 'sales_call', 'sales_campaign')) AS last_sales_activity_at
    FROM activities a
    WHERE a.run_id = $1 AND a.marketo_id IS NOT NULL
    GROUP BY a.marketo_id
),
-- Only the Interesting Moments' attributes are parsed.
moments AS (
    SELECT
        a.marketo_id,
        max(a.activity_date) AS last_interesting_moment_at,
        max_by(coalesce(json_extract_string(a.attributes, '$."Description"'), a.primary_attribute_value),
               (a.activity_date, a.marketo_guid)) AS last_interesting_moment
    FROM activities a
    WHERE a.run_id = $1 AND a.marketo_id IS NOT NULL AND a.category = 'interesting_moment'
    GROUP BY a.marketo_id
),
n AS (
    SELECT * FROM counts LEFT JOIN moments USING (marketo_id)
)
SELECT
    n.marketo_id,
    n.activities + coalesce(o.activities, 0) AS activities,
    n.sales_email + coalesce(o.sales_email, 0) AS sales_email,
    n.sales_call + coalesce(o.sales_call, 0) AS sales_call,
    n.sales_campaign + coalesce(o.sales_campaign, 0) AS sales_campaign,
    n.marketing_email + coalesce(o.marketing_email, 0) AS marketing_email,
    n.web + coalesce(o.web, 0) AS web,
    n.form + coalesce(o.form, 0) AS form,
    n.interesting_moment + coalesce(o.interesting_moment, 0) AS interesting_moment,
    n.lifecycle + coalesce(o.lifecycle, 0) AS lifecycle,
    n.other + coalesce(o.other, 0) AS other,
    CASE WHEN o.last_activity_at > n.last_activity_at THEN o.last_activity_at ELSE n.last_activity_at END AS last_activity_at,
    CASE WHEN n.last_sales_activity_at IS NULL OR o.last_sales_activity_at > n.last_sales_activity_at
         THEN o.last_sales_activity_at ELSE n.last_sales_activity_at END AS last_sales_activity_at,
    CASE WHEN n.last_interesting_moment_at IS NULL OR o.last_interesting_moment_at > n.last_interesting_moment_at
         THEN o.last_interesting_moment_at ELSE n.last_interesting_moment_at END AS last_interesting_moment_at,
    CASE WHEN n.last_interesting_moment_at IS NULL OR o.last_interesting_moment_at > n.last_interesting_moment_at
         THEN o.last_interesting_moment ELSE n.last_interesting_moment END AS last_interesting_moment,
    coalesce(o.last_interesting_moment_at = n.last_interesting_moment_at, false) AS recompute
FROM n
LEFT JOIN person_activity_summary o USING (marketo_id);
