-- R6: the run's sales activities (the eight SIA kinds) of matched people,
-- with their attributes as columns. $1: run id. The attributes are parsed
-- once per row: json_extract_string with a list of paths returns the list
-- of values, v[1] the first path's.
INSERT INTO sales_activity_log
WITH s AS (
    SELECT a.*,
           json_extract_string(a.attributes, [
               '$."Sent By"', '$."Sales Call Made By"', '$."Received By"', '$."Email Subject"',        -- 1-4
               '$."Template"', '$."Sales Template Name"', '$."Template ID"', '$."Sales Campaign Name"', -- 5-8
               '$."Sales Campaign URL"', '$."Link"', '$."Artifact ID"', '$."Sales Call Subject"',       -- 9-12
               '$."Sales Call Status"', '$."Sales Call Duration"', '$."Sales Phone Number Called"',     -- 13-15
               '$."Sales Call Recording URL"', '$."Sales Call Answered By"', '$."Details"',             -- 16-18
               '$."Marketo Sales Person ID"', '$."Source"'                                             -- 19-20
           ]) AS v
    FROM activities a
    WHERE a.run_id = $1 AND a.match = 'matched' AND a.sales_kind IS NOT NULL
),
d AS (
    SELECT s.*, s.v[14] AS duration FROM s
)
SELECT
    $1, d.marketo_guid, d.marketo_id, d.activity_date, d.sales_kind, d.type_name,
    coalesce(d.v[1], d.v[2]),
    d.v[3],
    coalesce(d.v[4], CASE WHEN d.category = 'sales_email' THEN d.primary_attribute_value END),
    coalesce(d.v[5], d.v[6]),
    d.v[7],
    coalesce(d.v[8], CASE WHEN d.category = 'sales_campaign' THEN d.primary_attribute_value END),
    d.v[9],
    d.v[10],
    d.v[11],
    coalesce(d.v[12], CASE WHEN d.category = 'sales_call' THEN d.primary_attribute_value END),
    d.v[13],
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
    d.v[15],
    d.v[16],
    d.v[17],
    d.v[18],
    d.v[19],
    d.v[20]
FROM d;
