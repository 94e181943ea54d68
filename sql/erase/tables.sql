-- The tables an erasure looks through: all but the run bookkeeping and the
-- erasure records.
SELECT table_name FROM information_schema.tables
WHERE table_schema = 'main' AND table_type = 'BASE TABLE' AND table_catalog = current_database()
  AND table_name NOT IN ('runs', 'inputs', 'erasures', 'erasure_salt')
ORDER BY table_name
