-- The plain-DuckDB-SQL baseline of `actsync-bench --activities N`: the
-- activities work of an activities-only `actsync run`, written the way a
-- data engineer would write it in DuckDB alone. It runs in a copy of a
-- database holding the synced people (table people, as actsync stores
-- them), with the working directory set to the round's directory (the
-- Parquet copies are written there) and two variables:
--
--   SET VARIABLE activities_file = '/path/to/activities.csv';  -- Bulk Activity Extract CSV
--   SET VARIABLE types_file = '/path/to/activity_types.csv';   -- id, type_name, category, sales_kind
--
-- Same rules as actsync on the same input (docs/design.md, README "Activities"):
--   * every column read as text; an empty field and the literal null are
--     NULL; a marketoGUID delivered twice in the file is kept once (the
--     first);
--   * attributes are a JSON object keyed by display name, read with
--     json_extract_string; the Email attribute is the fallback match key;
--   * match by leadId (matched / person_inactive / person_unknown), else by
--     lower(trim(Email)) against the people's email keys (one active →
--     matched, several → ambiguous_email, only inactive → person_inactive);
--   * the sales activity log of matched people, Salesforce Tasks for sent
--     emails, replies and calls (the default subject template), unsubscribe
--     violations, the per-person summary;
--   * a Parquet copy of each output table.
-- DuckDB runs with its default settings (threads = cores, memory limit).
-- Lifecycle events, rejects and the run bookkeeping are actsync's alone.

CREATE TEMP TABLE activity_types AS
SELECT * FROM read_csv(getvariable('types_file'), header = true,
    columns = {'id': 'INTEGER', 'type_name': 'VARCHAR', 'category': 'VARCHAR', 'sales_kind': 'VARCHAR'});

CREATE TABLE activities AS
WITH raw AS (
    SELECT nullif(trim(marketoGUID), '') AS marketo_guid,
           nullif(trim(leadId), '') AS lead_id,
           nullif(trim(activityDate), '') AS activity_date,
           nullif(trim(activityTypeId), '') AS activity_type_id,
           nullif(trim(campaignId), '') AS campaign_id,
           nullif(trim(primaryAttributeValueId), '') AS primary_attribute_value_id,
           nullif(trim(primaryAttributeValue), '') AS primary_attribute_value,
           nullif(trim(attributes), '') AS attributes
    FROM read_csv(getvariable('activities_file'), header = true, all_varchar = true,
                  nullstr = ['', 'null'], quote = '"', escape = '"')
    QUALIFY row_number() OVER (PARTITION BY marketoGUID) = 1
),
typed AS (
    SELECT r.marketo_guid,
           CAST(r.lead_id AS BIGINT) AS lead_id,
           CAST(r.activity_date AS TIMESTAMP) AS activity_date,
           CAST(r.activity_type_id AS INTEGER) AS activity_type_id,
           t.type_name,
           coalesce(t.category, 'other') AS category,
           t.sales_kind,
           CAST(r.campaign_id AS BIGINT) AS campaign_id,
           r.primary_attribute_value_id,
           r.primary_attribute_value,
           r.attributes,
           nullif(trim(json_extract_string(r.attributes, '$."Email"')), '') AS email
    FROM raw r
    LEFT JOIN activity_types t ON t.id = CAST(r.activity_type_id AS INTEGER)
),
by_email AS (
    SELECT lower(trim(email)) AS email_key,
           count(*) FILTER (WHERE status = 'active') AS active_n,
           min(marketo_id) FILTER (WHERE status = 'active') AS active_id,
           count(*) AS any_n,
           min(marketo_id) AS any_id
    FROM people
    WHERE email IS NOT NULL
    GROUP BY ALL
)
SELECT a.* EXCLUDE (email_key),
       CASE
           WHEN a.lead_id IS NOT NULL THEN
               CASE WHEN p.marketo_id IS NULL THEN 'person_unknown'
                    WHEN p.status = 'active' THEN 'matched'
                    ELSE 'person_inactive' END
           WHEN e.active_n = 1 THEN 'matched'
           WHEN e.active_n > 1 THEN 'ambiguous_email'
           WHEN e.any_n > 0 THEN 'person_inactive'
           ELSE 'person_unknown'
       END AS match,
       CASE
           WHEN a.lead_id IS NOT NULL THEN p.marketo_id
           WHEN e.active_n = 1 THEN e.active_id
           WHEN e.active_n = 0 AND e.any_n = 1 THEN e.any_id
       END AS marketo_id
FROM (SELECT *, CASE WHEN lead_id IS NULL THEN lower(email) END AS email_key FROM typed) a
LEFT JOIN people p ON p.marketo_id = a.lead_id
LEFT JOIN by_email e ON e.email_key = a.email_key;

CREATE TABLE sales_activity_log AS
WITH s AS (
    SELECT a.*,
           json_extract_string(a.attributes, [
               '$."Sent By"', '$."Sales Call Made By"', '$."Received By"', '$."Email Subject"',
               '$."Template"', '$."Sales Template Name"', '$."Template ID"', '$."Sales Campaign Name"',
               '$."Sales Campaign URL"', '$."Link"', '$."Artifact ID"', '$."Sales Call Subject"',
               '$."Sales Call Status"', '$."Sales Call Duration"', '$."Sales Phone Number Called"',
               '$."Sales Call Recording URL"', '$."Sales Call Answered By"', '$."Details"',
               '$."Marketo Sales Person ID"', '$."Source"'
           ]) AS v
    FROM activities a
    WHERE a.match = 'matched' AND a.sales_kind IS NOT NULL
)
SELECT marketo_guid, marketo_id, activity_date, sales_kind, type_name,
       coalesce(v[1], v[2]) AS sent_by,
       v[3] AS received_by,
       coalesce(v[4], CASE WHEN category = 'sales_email' THEN primary_attribute_value END) AS email_subject,
       coalesce(v[5], v[6]) AS template,
       v[7] AS template_id,
       coalesce(v[8], CASE WHEN category = 'sales_campaign' THEN primary_attribute_value END) AS sales_campaign_name,
       v[9] AS sales_campaign_url,
       v[10] AS link,
       v[11] AS artifact_id,
       coalesce(v[12], CASE WHEN category = 'sales_call' THEN primary_attribute_value END) AS call_subject,
       v[13] AS call_status,
       v[14] AS call_duration,
       CASE
           WHEN regexp_full_match(trim(v[14]), '\d+(\.\d+)?') THEN round(trim(v[14])::DOUBLE)::INTEGER
           WHEN regexp_full_match(trim(v[14]), '\d+:\d{1,2}') THEN
               split_part(trim(v[14]), ':', 1)::INTEGER * 60 + split_part(trim(v[14]), ':', 2)::INTEGER
           WHEN regexp_full_match(trim(v[14]), '\d+:\d{1,2}:\d{1,2}') THEN
               split_part(trim(v[14]), ':', 1)::INTEGER * 3600 + split_part(trim(v[14]), ':', 2)::INTEGER * 60
               + split_part(trim(v[14]), ':', 3)::INTEGER
       END AS call_duration_seconds,
       v[15] AS phone_number_called,
       v[16] AS call_recording_url,
       v[17] AS call_answered_by,
       v[18] AS bounce_details,
       v[19] AS marketo_sales_person_id,
       v[20] AS source
FROM s;

CREATE TABLE salesforce_tasks AS
WITH t AS (
    SELECT l.*, p.sfdc_contact_id, p.sfdc_lead_id, p.sfdc_account_id, p.sfdc_opportunity_id, p.sales_owner_id,
           CASE l.sales_kind WHEN 'send_sales_email' THEN 'Email'
                             WHEN 'reply_sales_email' THEN 'Reply' ELSE 'Call' END AS activity_type,
           CASE WHEN l.sales_kind = 'received_sales_call' THEN coalesce(l.call_subject, l.sales_campaign_name)
                ELSE l.email_subject END AS activity_subject
    FROM sales_activity_log l
    JOIN people p USING (marketo_id)
    WHERE l.sales_kind IN ('send_sales_email', 'reply_sales_email', 'received_sales_call')
      AND coalesce(p.sfdc_contact_id, p.sfdc_lead_id) IS NOT NULL
),
subj AS (
    SELECT t.*, trim(regexp_replace(activity_type || ': ' || coalesce(nullif(trim(activity_subject), ''), '(no subject)'),
                                    '\s+', ' ', 'g')) AS line
    FROM t
)
SELECT marketo_guid, marketo_id,
       coalesce(sfdc_contact_id, sfdc_lead_id) AS who_id,
       CASE WHEN sfdc_contact_id IS NOT NULL THEN coalesce(sfdc_opportunity_id, sfdc_account_id) END AS what_id,
       CASE WHEN regexp_full_match(sales_owner_id, '005[0-9A-Za-z]{12}([0-9A-Za-z]{3})?') THEN sales_owner_id END AS owner_id,
       CASE WHEN sales_owner_id LIKE '%@%' THEN sales_owner_id END AS owner_email,
       CASE WHEN length(line) > 255 THEN left(line, 254) || '…' ELSE line END AS subject,
       CAST(activity_date AS DATE) AS activity_date,
       'Completed' AS status,
       CASE activity_type WHEN 'Call' THEN 'Call' ELSE 'Email' END AS task_subtype,
       CASE activity_type WHEN 'Call' THEN 'Outbound' END AS call_type,
       call_duration_seconds AS call_duration_in_seconds,
       call_status AS call_disposition
FROM subj;

CREATE TABLE unsubscribe_violations AS
WITH unsub AS (
    SELECT marketo_id, activity_date FROM activities
    WHERE type_name = 'Unsubscribe Email' AND marketo_id IS NOT NULL
),
sends AS (
    SELECT marketo_guid, marketo_id, activity_date,
           json_extract_string(attributes, '$."Sent By"') AS sent_by
    FROM activities
    WHERE sales_kind = 'send_sales_email' AND marketo_id IS NOT NULL
),
evidence AS (
    SELECT s.marketo_guid,
           max(u.activity_date) FILTER (WHERE u.activity_date < s.activity_date) AS before_send,
           count(u.marketo_id) AS unsubscribes
    FROM sends s LEFT JOIN unsub u USING (marketo_id)
    GROUP BY s.marketo_guid
)
SELECT s.marketo_guid, s.marketo_id, s.activity_date AS sent_at, s.sent_by, e.before_send AS unsubscribed_at,
       CASE WHEN e.before_send IS NOT NULL THEN 'after_unsubscribe' ELSE 'unknown_timing' END AS evidence
FROM sends s
JOIN evidence e USING (marketo_guid)
JOIN people p USING (marketo_id)
WHERE e.before_send IS NOT NULL OR (e.unsubscribes = 0 AND p.marketo_unsubscribed);

CREATE TABLE person_activity_summary AS
SELECT marketo_id,
       count(*) AS activities,
       count(*) FILTER (WHERE category = 'sales_email') AS sales_email,
       count(*) FILTER (WHERE category = 'sales_call') AS sales_call,
       count(*) FILTER (WHERE category = 'sales_campaign') AS sales_campaign,
       count(*) FILTER (WHERE category = 'marketing_email') AS marketing_email,
       count(*) FILTER (WHERE category = 'web') AS web,
       count(*) FILTER (WHERE category = 'form') AS form,
       count(*) FILTER (WHERE category = 'interesting_moment') AS interesting_moment,
       count(*) FILTER (WHERE category = 'lifecycle') AS lifecycle,
       count(*) FILTER (WHERE category = 'other') AS other,
       max(activity_date) AS last_activity_at,
       max(activity_date) FILTER (WHERE category IN ('sales_email', 'sales_call', 'sales_campaign')) AS last_sales_activity_at,
       max(activity_date) FILTER (WHERE category = 'interesting_moment') AS last_interesting_moment_at,
       max_by(coalesce(json_extract_string(attributes, '$."Description"'), primary_attribute_value),
              (activity_date, marketo_guid)) FILTER (WHERE category = 'interesting_moment') AS last_interesting_moment
FROM activities
WHERE marketo_id IS NOT NULL
GROUP BY marketo_id;

COPY activities TO 'activities.parquet' (FORMAT parquet);
COPY sales_activity_log TO 'sales_activity_log.parquet' (FORMAT parquet);
COPY salesforce_tasks TO 'salesforce_tasks.parquet' (FORMAT parquet);
COPY unsubscribe_violations TO 'unsubscribe_violations.parquet' (FORMAT parquet);
COPY person_activity_summary TO 'person_activity_summary.parquet' (FORMAT parquet);
