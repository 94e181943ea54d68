-- $1 run id, $2 started, $3 finished, $4 full, $5..$16 counts, $17 report
-- JSON, $18 as-of time, $19 stale rows.
INSERT INTO runs (run_id, started_at, finished_at, full_export, rows_read, synced, excluded,
                  rejected, superseded, inserted, updated, deactivated, reactivated,
                  people_active, people_inactive, duplicate_groups, report, as_of, stale)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19);
