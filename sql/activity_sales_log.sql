-- R6: the run's sales activities (the eight SIA kinds) of matched people,
-- with their attributes as columns. $1: run id.
INSERT INTO sales_activity_log
WITH s AS (
    SELECT a.*,
           json_extract_string(a.attributes, '$."Sales Call Duration"') AS duration
    FROM activities a
    WHERE a.run_id = $1 AND a.match = 'matched' AND a.sales_kind IS NOT NULL
)
SELECT
    $1, s.marketo_guid, s.marketo_id, s.activity_date, s.sales_kind, s.type_name,
    coalesce(json_extract_string(s.attributes, '$."Sent By"'),
             json_extract_string(s.attributes, '$."Sales Call Made By"')),
    json_extract_string(s.attributes, '$."Received By"'),
    coalesce(json_extract_string(s.attributes, '$."Email Subject"'),
             CASE WHEN s.category = 'sales_email' THEN s.primary_attribute_value END),
    coalesce(json_extract_string(s.attributes, '$."Template"'),
             json_extract_string(s.attributes, '$."Sales Template Name"')),
    json_extract_string(s.attributes, '$."Template ID"'),
    coalesce(json_extract_string(s.attributes, '$."Sales Campaign Name"'),
             CASE WHEN s.category = 'sales_campaign' THEN s.primary_attribute_value END),
    json_extract_string(s.attributes, '$."Sales Campaign URL"'),
    json_extract_string(s.attributes, '$."Link"'),
    json_extract_string(s.attributes, '$."Artifact ID"'),
    coalesce(json_extract_string(s.attributes, '$."Sales Call Subject"'),
             CASE WHEN s.category = 'sales_call' THEN s.primary_attribute_value END),
    json_extract_string(s.attributes, '$."Sales Call Status"'),
    s.duration,
    -- Seconds from "95", "95.0", "1:35" or "0:01:35"; NULL otherwise.
    CASE
        WHEN regexp_full_match(trim(s.duration), '\d+(\.\d+)?') THEN round(trim(s.duration)::DOUBLE)::INTEGER
        WHEN regexp_full_match(trim(s.duration), '\d+:\d{1,2}') THEN
            split_part(trim(s.duration), ':', 1)::INTEGER * 60 + split_part(trim(s.duration), ':', 2)::INTEGER
        WHEN regexp_full_match(trim(s.duration), '\d+:\d{1,2}:\d{1,2}') THEN
            split_part(trim(s.duration), ':', 1)::INTEGER * 3600 + split_part(trim(s.duration), ':', 2)::INTEGER * 60
            + split_part(trim(s.duration), ':', 3)::INTEGER
    END,
    json_extract_string(s.attributes, '$."Sales Phone Number Called"'),
    json_extract_string(s.attributes, '$."Sales Call Recording URL"'),
    json_extract_string(s.attributes, '$."Sales Call Answered By"'),
    json_extract_string(s.attributes, '$."Details"'),
    json_extract_string(s.attributes, '$."Marketo Sales Person ID"'),
    json_extract_string(s.attributes, '$."Source"')
FROM s;
