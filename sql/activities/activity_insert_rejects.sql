-- Rejected activity rows. $1: run id, $2: staging file of
-- activities.RejectSchema rows (path, line, reason, detail, raw).
INSERT INTO rejects
SELECT $1, r.path, r.line, r.reason, NULL, r.detail, r.raw
FROM read_parquet($2) r;
