-- Field by field, for every pair to sync (sf_pairs.action = 'sync'): who
-- changed what, and which value wins. The fields are subject, due_date
-- (Salesforce ActivityDate) and completed (Salesforce IsClosed), as text.
--
-- A side changed a field when its value differs from the one it was last
-- seen with and from the one both sides were last told to hold (so our own
-- write coming back is not a change, and a change not yet applied is not
-- one either). A side never seen before counts as changed. When the values
-- differ, the side that changed wins; when both changed, the side modified
-- last wins (ties: Salesforce), and it is a conflict when both sides had
-- been seen before. agreed is what both sides hold once the changes are
-- applied.
CREATE TEMP TABLE sf_fields AS
WITH f AS (
    SELECT pair_no, 'subject' AS field, a_subject AS a, s_subject AS s,
           seen_a_subject AS seen_a, seen_s_subject AS seen_s, agreed_subject AS agreed,
           a_present, s_present, base_a_present, base_s_present, a_updated_at, s_modified_at
    FROM sf_pairs WHERE action = 'sync'
    UNION ALL
    SELECT pair_no, 'due_date', CAST(a_due_date AS VARCHAR), CAST(s_activity_date AS VARCHAR),
           CAST(seen_a_due_date AS VARCHAR), CAST(seen_s_due_date AS VARCHAR), CAST(agreed_due_date AS VARCHAR),
           a_present, s_present, base_a_present, base_s_present, a_updated_at, s_modified_at
    FROM sf_pairs WHERE action = 'sync'
    UNION ALL
    SELECT pair_no, 'completed', CAST(a_completed AS VARCHAR), CAST(s_is_closed AS VARCHAR),
           CAST(seen_a_completed AS VARCHAR), CAST(seen_s_completed AS VARCHAR), CAST(agreed_completed AS VARCHAR),
           a_present, s_present, base_a_present, base_s_present, a_updated_at, s_modified_at
    FROM sf_pairs WHERE action = 'sync'
), c AS (
    SELECT f.*,
           a_present AND (NOT base_a_present OR (a IS DISTINCT FROM seen_a AND a IS DISTINCT FROM agreed)) AS a_changed,
           s_present AND (NOT base_s_present OR (s IS DISTINCT FROM seen_s AND s IS DISTINCT FROM agreed)) AS s_changed
    FROM f
), w AS (
    SELECT c.*,
           CASE WHEN a IS NOT DISTINCT FROM s THEN NULL
                WHEN a_changed AND s_changed THEN CASE WHEN a_updated_at > s_modified_at THEN 'actions' ELSE 'salesforce' END
                WHEN a_changed THEN 'actions'
                WHEN s_changed THEN 'salesforce'
           END AS winner
    FROM c
)
SELECT pair_no, field, a, s, seen_a, seen_s, a_changed, s_changed, winner,
       a_changed AND s_changed AND base_a_present AND base_s_present AND a IS DISTINCT FROM s AS conflict,
       agreed AS previous,
       CASE winner WHEN 'actions' THEN a WHEN 'salesforce' THEN s
                   ELSE (CASE WHEN a IS NOT DISTINCT FROM s THEN a ELSE agreed END) END AS agreed
FROM w;
