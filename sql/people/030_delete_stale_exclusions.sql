-- A stale exclusion is not an exclusion: the row moves to stale_rows and
-- deactivates nobody. $1: run id. (One exclusion per person per run: the
-- filter keeps one row per person.)
DELETE FROM exclusions
WHERE run_id = $1
  AND marketo_id IN (SELECT marketo_id FROM stale_rows WHERE run_id = $1 AND kind <> 'sales_ready');
