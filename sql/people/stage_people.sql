-- The run's synced people, one row per person (filter kept one winner
-- each), as the temporary table every later statement reads. people_stream
-- is the pipeline's Arrow stream (stages/load/stream.go): this statement
-- runs while the pipeline produces it, before the run's transaction; the
-- table is temporary, so it never reaches the database file.
CREATE OR REPLACE TEMP TABLE incoming_rows AS SELECT * FROM people_stream;
