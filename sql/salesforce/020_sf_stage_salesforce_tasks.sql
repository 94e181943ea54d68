-- The run's Salesforce Tasks, one row per Id (the latest LastModifiedDate),
-- with the person whose contact or lead id is the WhoId (when exactly one
-- person has it). Reminder tasks are TaskSubtype 'Task' (or none); emails,
-- calls and list emails sync one way (R7) and are left alone.
-- $1: staged Parquet of salesforce.SalesforceTasks rows.
CREATE TEMP TABLE sf_sf AS
WITH t AS (
    SELECT * FROM read_parquet($1)
    QUALIFY row_number() OVER (PARTITION BY id ORDER BY last_modified_date DESC, source_file DESC, source_line DESC) = 1
), who AS (
    SELECT id, min(marketo_id) AS marketo_id, count(*) AS n
    FROM (SELECT sfdc_contact_id AS id, marketo_id FROM people WHERE sfdc_contact_id IS NOT NULL
          UNION SELECT sfdc_lead_id, marketo_id FROM people WHERE sfdc_lead_id IS NOT NULL)
    GROUP BY id
)
SELECT t.id,
       t.who_id,
       trim(t.subject) AS subject,
       t.activity_date,
       t.status,
       t.is_closed,
       t.task_subtype,
       coalesce(t.task_subtype, 'Task') = 'Task' AS is_reminder,
       t.last_modified_date,
       t.is_deleted,
       CASE WHEN w.n = 1 THEN w.marketo_id END AS marketo_id,
       CASE WHEN w.n = 1 THEN 'matched' WHEN w.n > 1 THEN 'ambiguous_who_id' ELSE 'person_unknown' END AS person_match
FROM t LEFT JOIN who w ON w.id = t.who_id;
