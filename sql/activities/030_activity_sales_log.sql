-- R6: the run's sales activities (the eight SIA kinds) of matched people,
-- with their attributes as columns. $1: run id. The attributes are parsed
-- once per row into a struct of the 20 names read here: json_transform to
-- VARCHAR gives what json_extract_string gives for each (a string
-- unescaped, any other value as its JSON text, null and absent as NULL), in
-- a third of the time of json_extract_string with the list of 20 paths
-- (0.24 s against 0.82 s for 186k sales activities; docs/performance.md).
INSERT INTO sales_activity_log
WITH s AS (
    SELECT a.*,
           json_transform(a.attributes, '{
               "Sent By": "VARCHAR",
               "Sales Call Made By": "VARCHAR",
               "Received By": "VARCHAR",
               "Email Subject": "VARCHAR",
               "Template": "VARCHAR",
               "Sales Template Name": "VARCHAR",
               "Template ID": "VARCHAR",
               "Sales Campaign Name": "VARCHAR",
               "Sales Campaign URL": "VARCHAR",
               "Link": "VARCHAR",
               "Artifact ID": "VARCHAR",
               "Sales Call Subject": "VARCHAR",
               "Sales Call Status": "VARCHAR",
               "Sales Call Duration": "VARCHAR",
               "Sales Phone Number Called": "VARCHAR",
               "Sales Call Recording URL": "VARCHAR",
               "Sales Call Answered By": "VARCHAR",
               "Details": "VARCHAR",
               "Marketo Sales Person ID": "VARCHAR",
               "Source": "VARCHAR"
           }') AS v
    FROM activities a
    WHERE a.run_id = $1 AND a.match = 'matched' AND a.sales_kind IS NOT NULL
),
d AS (
    SELECT s.*, s.v."Sales Call Duration" AS duration FROM s
)
SELECT
    $1, d.marketo_guid, d.marketo_id, d.activity_date, d.sales_kind, d.type_name,
    coalesce(d.v."Sent By", d.v."Sales Call Made By"),
    d.v."Received By",
    coalesce(d.v."Email Subject", CASE WHEN d.category = 'sales_email' THEN d.primary_attribute_value END),
    coalesce(d.v."Template", d.v."Sales Template Name"),
    d.v."Template ID",
    coalesce(d.v."Sales Campaign Name", CASE WHEN d.category = 'sales_campaign' THEN d.primary_attribute_value END),
    d.v."Sales Campaign URL",
    d.v."Link",
    d.v."Artifact ID",
    coalesce(d.v."Sales Call Subject", CASE WHEN d.category = 'sales_call' THEN d.primary_attribute_value END),
    d.v."Sales Call Status",
    d.duration,
    -- Seconds from "95", "95.0", "1:35" or "0:01:35"; NULL otherwise.
    CASE
        WHEN regexp_full_match(trim(d.duration), '\d+(\.\d+)?') THEN round(trim(d.duration)::DOUBLE)::INTEGER
        WHEN regexp_full_match(trim(d.duration), '\d+:\d{1,2}') THEN
            split_part(trim(d.duration), ':', 1)::INTEGER * 60 + split_part(trim(d.duration), ':', 2)::INTEGER
        WHEN regexp_full_match(trim(d.duration), '\d+:\d{1,2}:\d{1,2}') THEN
            split_part(trim(d.duration), ':', 1)::INTEGER * 3600 + split_part(trim(d.duration), ':', 2)::INTEGER * 60
            + split_part(trim(d.duration), ':', 3)::INTEGER
    END,
    d.v."Sales Phone Number Called",
    d.v."Sales Call Recording URL",
    d.v."Sales Call Answered By",
    d.v."Details",
    d.v."Marketo Sales Person ID",
    d.v."Source"
FROM d;
