-- Pairs the run's SIA reminder tasks (sf_sia) with its Salesforce reminder
-- tasks (sf_sf) and decides what each pair or lone task needs: one row per
-- pair or lone task, with the state row(s) of task_links it continues.
--
-- Pairing, in order: by link (the SIA task's Salesforce Task id, or the id
-- task_links remembers for it); else by person + lower(trim(subject)) + due
-- date, when that key is unique on both sides. A task whose key has several
-- candidates is left alone (ambiguous_match) rather than guessed or
-- duplicated. A side absent from this run's export counts as unchanged,
-- with the values it was last seen with.
-- $1: as-of time (the 24-hour and 15-day windows end there),
-- $2: --task-sync-since.
CREATE TEMP TABLE sf_pairs AS
WITH links AS (
    SELECT rowid AS link_rowid, * FROM task_links
), la_ids AS (
    SELECT actions_task_id, min(link_rowid) AS link_rowid
    FROM links WHERE actions_task_id IS NOT NULL GROUP BY actions_task_id
), sia AS (
    SELECT s.*, l.link_rowid, coalesce(s.salesforce_task_id, lk.salesforce_task_id) AS link_sf_id
    FROM sf_sia s
    LEFT JOIN la_ids l ON l.actions_task_id = s.task_id
    LEFT JOIN links lk ON lk.link_rowid = l.link_rowid
), sf AS (
    SELECT * FROM sf_sf WHERE is_reminder
), by_link AS (
    SELECT sia.task_id, sf.id AS sf_id, 'paired_by_link' AS kind
    FROM sia JOIN sf ON sf.id = sia.link_sf_id
    QUALIFY row_number() OVER (PARTITION BY sf.id ORDER BY sia.updated_at DESC, sia.task_id) = 1
), sia_keyed AS (
    SELECT task_id, marketo_id, lower(subject) AS k, due_date,
           count(*) OVER (PARTITION BY marketo_id, lower(subject), due_date) AS n
    FROM sia
    WHERE link_sf_id IS NULL AND marketo_id IS NOT NULL AND subject IS NOT NULL
), sf_keyed AS (
    SELECT id, marketo_id, lower(subject) AS k, activity_date,
           count(*) OVER (PARTITION BY marketo_id, lower(subject), activity_date) AS n
    FROM sf
    WHERE NOT is_deleted AND marketo_id IS NOT NULL AND subject IS NOT NULL
      AND id NOT IN (SELECT sf_id FROM by_link)
      AND id NOT IN (SELECT salesforce_task_id FROM links WHERE salesforce_task_id IS NOT NULL AND actions_task_id IS NOT NULL)
      AND id NOT IN (SELECT salesforce_task_id FROM sia WHERE salesforce_task_id IS NOT NULL)
), key_matches AS (
    SELECT a.task_id, b.id AS sf_id, a.n = 1 AND b.n = 1 AS unique_match
    FROM sia_keyed a JOIN sf_keyed b
      ON a.marketo_id = b.marketo_id AND a.k = b.k AND a.due_date IS NOT DISTINCT FROM b.activity_date
), paired AS (
    SELECT task_id, sf_id, kind FROM by_link
    UNION ALL
    SELECT task_id, sf_id, 'paired_by_key' FROM key_matches WHERE unique_match
), lone AS (
    SELECT task_id, NULL AS sf_id, 'actions_only' AS kind FROM sia
    WHERE task_id NOT IN (SELECT task_id FROM paired)
    UNION ALL
    SELECT NULL, id, 'salesforce_only' FROM sf
    WHERE id NOT IN (SELECT sf_id FROM paired)
), r AS (
    SELECT * FROM paired UNION ALL SELECT * FROM lone
), j AS (
    SELECT r.kind, a.*, s.* EXCLUDE (marketo_id, subject, status, person_match),
           s.marketo_id AS s_marketo_id, s.subject AS s_subject, s.status AS s_status, s.person_match AS s_person_match,
           a.task_id IS NOT NULL AS a_present, s.id IS NOT NULL AS s_present,
           coalesce(a.task_id IN (SELECT task_id FROM key_matches WHERE NOT unique_match), false)
             OR coalesce(s.id IN (SELECT sf_id FROM key_matches WHERE NOT unique_match), false) AS ambiguous,
           coalesce(s.id, a.link_sf_id) AS sf_key
    FROM r
    LEFT JOIN sia a ON a.task_id = r.task_id
    LEFT JOIN sf s ON s.id = r.sf_id
), ls_ids AS (
    -- state rows by Salesforce id; a state row continued by its SIA task
    -- is that task's alone
    SELECT salesforce_task_id, min(link_rowid) AS link_rowid
    FROM links
    WHERE salesforce_task_id IS NOT NULL
      AND link_rowid NOT IN (SELECT link_rowid FROM sia WHERE link_rowid IS NOT NULL)
    GROUP BY salesforce_task_id
), k AS (
    SELECT j.*, j.link_rowid AS link_a, ls.link_rowid AS link_s
    FROM j LEFT JOIN ls_ids ls ON ls.salesforce_task_id = j.sf_key
), b AS (
    -- la / ls: the state rows found by the SIA and the Salesforce id.
    SELECT k.*,
           la.actions_task_id AS la_actions_task_id, la.salesforce_task_id AS la_salesforce_task_id,
           ls.actions_task_id AS ls_actions_task_id, ls.salesforce_task_id AS ls_salesforce_task_id,
           coalesce(la.marketo_id, ls.marketo_id) AS base_marketo_id,
           coalesce(la.origin, ls.origin) AS base_origin,
           coalesce(la.first_run_id, ls.first_run_id) AS base_first_run_id,
           coalesce(la.deleted_run_id, ls.deleted_run_id) AS deleted_run_id,
           -- each side's last-seen values come from the state row that saw it
           CASE WHEN la.actions_updated_at IS NOT NULL THEN la ELSE ls END AS ba,
           CASE WHEN la.salesforce_modified_at IS NOT NULL THEN la ELSE ls END AS bs,
           CASE WHEN la.link_rowid IS NOT NULL THEN la ELSE ls END AS bg
    FROM k
    LEFT JOIN links la ON la.link_rowid = k.link_a
    LEFT JOIN links ls ON ls.link_rowid = k.link_s
)
SELECT row_number() OVER (ORDER BY coalesce(b.task_id, b.ls_actions_task_id, ''), coalesce(b.id, b.sf_key, '')) AS pair_no,
       b.kind,
       CASE
           WHEN b.deleted_run_id IS NOT NULL THEN 'already_deleted'
           WHEN b.is_deleted AND coalesce(b.task_id, b.la_actions_task_id, b.ls_actions_task_id) IS NULL THEN 'deleted_never_synced'
           WHEN b.is_deleted AND b.last_modified_date >= $1::TIMESTAMP - INTERVAL 15 DAY THEN 'delete_in_actions'
           WHEN b.is_deleted THEN 'deletion_too_old'
           WHEN b.a_present AND b.s_present THEN 'sync'
           WHEN b.a_present AND (b.bs).salesforce_modified_at IS NOT NULL
                AND coalesce(b.sf_key, b.la_salesforce_task_id) IS NOT NULL THEN 'sync'
           WHEN b.s_present AND (b.ba).actions_updated_at IS NOT NULL
                AND coalesce(b.la_actions_task_id, b.ls_actions_task_id) IS NOT NULL THEN 'sync'
           WHEN b.a_present AND (b.link_a IS NOT NULL OR b.link_s IS NOT NULL OR b.link_sf_id IS NOT NULL) THEN 'awaiting_salesforce'
           WHEN b.s_present AND (b.link_a IS NOT NULL OR b.link_s IS NOT NULL) THEN 'awaiting_actions'
           WHEN b.ambiguous THEN 'ambiguous_match'
           WHEN b.a_present AND b.created_at < $2::TIMESTAMP THEN 'before_sync_since'
           WHEN b.a_present AND b.marketo_id IS NULL THEN b.person_match
           WHEN b.a_present AND p.sfdc_contact_id IS NULL AND p.sfdc_lead_id IS NULL THEN 'no_salesforce_id'
           WHEN b.a_present THEN 'create_in_salesforce'
           WHEN b.last_modified_date < $1::TIMESTAMP - INTERVAL 24 HOUR THEN 'too_old'
           WHEN b.s_marketo_id IS NULL THEN b.s_person_match
           WHEN p.status <> 'active' THEN 'person_inactive'
           ELSE 'create_in_actions'
       END AS action,
       coalesce(b.task_id, b.la_actions_task_id, b.ls_actions_task_id) AS actions_task_id,
       coalesce(b.id, b.sf_key, b.la_salesforce_task_id, b.ls_salesforce_task_id) AS salesforce_task_id,
       coalesce(b.marketo_id, b.s_marketo_id, b.base_marketo_id) AS marketo_id,
       b.a_present, b.s_present,
       (b.ba).actions_updated_at IS NOT NULL AS base_a_present,
       (b.bs).salesforce_modified_at IS NOT NULL AS base_s_present,
       -- each side as it stands: this run's export, else as last seen
       CASE WHEN b.a_present THEN b.subject ELSE (b.ba).actions_subject END AS a_subject,
       CASE WHEN b.a_present THEN b.due_date ELSE (b.ba).actions_due_date END AS a_due_date,
       CASE WHEN b.a_present THEN b.completed ELSE (b.ba).actions_completed END AS a_completed,
       CASE WHEN b.a_present THEN b.updated_at ELSE (b.ba).actions_updated_at END AS a_updated_at,
       CASE WHEN b.s_present THEN b.s_subject ELSE (b.bs).salesforce_subject END AS s_subject,
       CASE WHEN b.s_present THEN b.activity_date ELSE (b.bs).salesforce_activity_date END AS s_activity_date,
       CASE WHEN b.s_present THEN b.is_closed ELSE (b.bs).salesforce_is_closed END AS s_is_closed,
       CASE WHEN b.s_present THEN b.last_modified_date ELSE (b.bs).salesforce_modified_at END AS s_modified_at,
       b.s_status,
       (b.ba).actions_subject AS seen_a_subject, (b.ba).actions_due_date AS seen_a_due_date, (b.ba).actions_completed AS seen_a_completed,
       (b.bs).salesforce_subject AS seen_s_subject, (b.bs).salesforce_activity_date AS seen_s_due_date, (b.bs).salesforce_is_closed AS seen_s_completed,
       (b.bg).agreed_subject AS agreed_subject, (b.bg).agreed_due_date AS agreed_due_date, (b.bg).agreed_completed AS agreed_completed,
       b.base_origin, b.base_first_run_id, b.deleted_run_id,
       b.link_a, b.link_s
FROM b
LEFT JOIN people p ON p.marketo_id = coalesce(b.marketo_id, b.s_marketo_id);
