-- R7: one Salesforce Task per loggable sales activity of the run. $1: run id,
-- $2: log emails (sent emails and replies), $3: log calls, $4: the Subject
-- template ({{activity_type}}, {{activity_subject}}, {{sent_by}},
-- {{sales_campaign}}). WhoId = contact id, else lead id (a person with
-- neither gets no Task: activity_counts.sql counts them); WhatId =
-- opportunity, else account, and NULL when WhoId is a lead; OwnerId = the
-- sales owner when it is a Salesforce user id (an owner known only by email
-- goes to owner_email). Subject: one line, at most 255 characters.
INSERT INTO salesforce_tasks
WITH t AS (
    SELECT l.*, p.sfdc_contact_id, p.sfdc_lead_id, p.sfdc_account_id, p.sfdc_opportunity_id,
           p.sales_owner_id,
           CASE l.sales_kind WHEN 'send_sales_email' THEN 'Email'
                             WHEN 'reply_sales_email' THEN 'Reply'
                             ELSE 'Call' END AS activity_type,
           CASE WHEN l.sales_kind = 'received_sales_call' THEN coalesce(l.call_subject, l.sales_campaign_name)
                ELSE l.email_subject END AS activity_subject
    FROM sales_activity_log l
    JOIN people p USING (marketo_id)
    WHERE l.run_id = $1
      AND ((CAST($2 AS BOOLEAN) AND l.sales_kind IN ('send_sales_email', 'reply_sales_email'))
           OR (CAST($3 AS BOOLEAN) AND l.sales_kind = 'received_sales_call'))
      AND coalesce(p.sfdc_contact_id, p.sfdc_lead_id) IS NOT NULL
),
subj AS (
    SELECT t.*,
           trim(regexp_replace(
               replace(replace(replace(replace(CAST($4 AS VARCHAR),
                   '{{activity_type}}', activity_type),
                   '{{activity_subject}}', coalesce(nullif(trim(activity_subject), ''), '(no subject)')),
                   '{{sent_by}}', coalesce(sent_by, '')),
                   '{{sales_campaign}}', coalesce(sales_campaign_name, '')),
               '\s+', ' ', 'g')) AS line
    FROM t
)
SELECT
    $1, marketo_guid, marketo_id,
    coalesce(sfdc_contact_id, sfdc_lead_id),
    CASE WHEN sfdc_contact_id IS NOT NULL THEN coalesce(sfdc_opportunity_id, sfdc_account_id) END,
    CASE WHEN regexp_full_match(sales_owner_id, '005[0-9A-Za-z]{12}([0-9A-Za-z]{3})?') THEN sales_owner_id END,
    CASE WHEN sales_owner_id LIKE '%@%' THEN sales_owner_id END,
    CASE WHEN length(line) > 255 THEN left(line, 254) || '…' ELSE line END,
    CAST(activity_date AS DATE),
    'Completed',
    CASE activity_type WHEN 'Call' THEN 'Call' ELSE 'Email' END,
    CASE activity_type WHEN 'Call' THEN 'Outbound' END,
    call_duration_seconds,
    call_status
FROM subj;
