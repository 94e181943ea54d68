-- The people unsubscribed in SIA: one row per (input row, person). A row
-- names its person by Marketo id, else by email: an unsubscribe is of an
-- address, so it applies to every person with that email (R4's duplicates
-- included). Rows with unsubscribed = false are kept (marketo_id NULL,
-- match 'not_unsubscribed'): a re-subscribe is not synced.
-- $1: staged Parquet of salesforce.ActionsUnsubscribes rows.
CREATE TEMP TABLE sf_sia_unsub AS
SELECT u.source_file, u.source_line,
       CASE WHEN NOT u.unsubscribed THEN NULL
            WHEN u.marketo_id IS NOT NULL THEN p.marketo_id ELSE e.marketo_id END AS marketo_id,
       CASE WHEN NOT u.unsubscribed THEN 'not_unsubscribed'
            WHEN coalesce(p.marketo_id, e.marketo_id) IS NULL THEN 'person_unknown'
            ELSE 'matched' END AS person_match
FROM read_parquet($1) u
LEFT JOIN people p ON p.marketo_id = u.marketo_id
LEFT JOIN people e ON u.marketo_id IS NULL AND e.email_key = lower(trim(u.email));
