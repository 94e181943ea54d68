-- Inserts the run's unseen activities, matched by activity_run.sql, into
-- activities. $1: run id.
INSERT INTO activities
SELECT marketo_guid, lead_id, activity_date, activity_type_id, type_name, category,
       sales_kind, campaign_id, primary_attribute_value_id, primary_attribute_value,
       attributes, action_result, email, match, marketo_id, $1, source_file, source_line
FROM activity_run;
