-- The SIA database (docs/design.md "State"). Idempotent: run at every open.
--
-- people has one row per marketo_id, by construction rather than by a
-- primary key: filter keeps one row per person in a run, people/080_insert_people.sql
-- inserts only ids not yet in the table, and nothing else inserts. A key
-- would cost its index build on every initial sync (seconds per million
-- people) and memory DuckDB cannot spill (its index is held outside
-- memory_limit); TestPeopleUniqueByConstruction checks the property. A
-- state created before this keeps its key: DuckDB cannot drop one in place,
-- and the key changes no result.
CREATE TABLE IF NOT EXISTS people (
    marketo_id           BIGINT NOT NULL,
    first_name           VARCHAR,
    last_name            VARCHAR,
    email                VARCHAR,
    phone                VARCHAR,
    company              VARCHAR,
    title                VARCHAR,
    linkedin_url         VARCHAR,
    source               VARCHAR,
    sfdc_lead_id         VARCHAR,
    sfdc_contact_id      VARCHAR,
    sfdc_account_id      VARCHAR,
    sfdc_opportunity_id  VARCHAR,
    sales_owner_id       VARCHAR,
    sfdc_type            VARCHAR,
    marketo_unsubscribed BOOLEAN,
    marketo_updated_at   TIMESTAMP,
    status               VARCHAR NOT NULL,
    status_reason        VARCHAR,
    email_key            VARCHAR,
    first_run_id         BIGINT NOT NULL,
    last_changed_run_id  BIGINT NOT NULL,
    source_file          VARCHAR,
    source_line          BIGINT
);
CREATE TABLE IF NOT EXISTS runs (
    run_id           BIGINT PRIMARY KEY,
    started_at       TIMESTAMP NOT NULL,
    finished_at      TIMESTAMP NOT NULL,
    full_export      BOOLEAN NOT NULL,
    rows_read        BIGINT NOT NULL,
    synced           BIGINT NOT NULL,
    excluded         BIGINT NOT NULL,
    rejected         BIGINT NOT NULL,
    superseded       BIGINT NOT NULL,
    inserted         BIGINT NOT NULL,
    updated          BIGINT NOT NULL,
    deactivated      BIGINT NOT NULL,
    reactivated      BIGINT NOT NULL,
    people_active    BIGINT NOT NULL,
    people_inactive  BIGINT NOT NULL,
    duplicate_groups BIGINT NOT NULL,
    report           VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS inputs (
    run_id     BIGINT NOT NULL,
    file_index INTEGER NOT NULL,
    path       VARCHAR NOT NULL,
    format     VARCHAR NOT NULL,
    sha256     VARCHAR NOT NULL,
    bytes      BIGINT NOT NULL,
    rows_read  BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS changes (
    run_id         BIGINT NOT NULL,
    marketo_id     BIGINT NOT NULL,
    op             VARCHAR NOT NULL,
    changed_fields VARCHAR[],
    reason         VARCHAR
);
CREATE TABLE IF NOT EXISTS exclusions (
    run_id      BIGINT NOT NULL,
    marketo_id  BIGINT NOT NULL,
    reason      VARCHAR NOT NULL,
    source_file VARCHAR NOT NULL,
    source_line BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS rejects (
    run_id      BIGINT NOT NULL,
    source_file VARCHAR NOT NULL,
    line        BIGINT NOT NULL,
    reason      VARCHAR NOT NULL,
    field       VARCHAR,
    detail      VARCHAR NOT NULL,
    raw         VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS duplicate_emails (
    run_id       BIGINT NOT NULL,
    email_key    VARCHAR NOT NULL,
    person_count BIGINT NOT NULL,
    marketo_ids  BIGINT[] NOT NULL
);
-- One row per `actsync erase`: when, how many ids, sha256(salt ":" id) per
-- id (salt in erasure_salt), rows erased and snapshot files rewritten. No
-- personal data.
CREATE TABLE IF NOT EXISTS erasures (
    erased_at      TIMESTAMP NOT NULL,
    people         INTEGER NOT NULL,
    id_hashes      VARCHAR[] NOT NULL,
    rows_erased    BIGINT NOT NULL,
    snapshot_files INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS erasure_salt (
    salt VARCHAR NOT NULL
);
-- Rows of a run that were older, by updatedAt, than what the state held
-- for their person (sql/people/020_insert_stale.sql): they changed nothing. kind is
-- 'sales_ready' for a row that would have been synced, else the exclusion
-- reason it carried; state_updated_at is the newer time it lost to.
CREATE TABLE IF NOT EXISTS stale_rows (
    run_id           BIGINT NOT NULL,
    marketo_id       BIGINT NOT NULL,
    kind             VARCHAR NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    state_updated_at TIMESTAMP NOT NULL,
    source_file      VARCHAR NOT NULL,
    source_line      BIGINT NOT NULL
);
-- The last event that took each person out of sync, by its own time: the
-- newest of their exclusions (the row's updatedAt) and of their Merge Leads
-- and Delete Lead events that applied (the activity date), with its reason
-- and run. people/010_run_marks.sql reads it instead of the whole exclusions history,
-- which grows with every run; finish/020_update_person_exits.sql keeps it at the end
-- of each run, fill_person_exits.sql builds it once for an older state.
-- One row per person, kept so by those two files rather than by a primary
-- key: DuckDB keeps a key's index in memory, outside what memory_limit can
-- spill, and nothing looks a person up here but two joins.
CREATE TABLE IF NOT EXISTS person_exits (
    marketo_id BIGINT NOT NULL,
    ended_at   TIMESTAMP NOT NULL,
    reason     VARCHAR NOT NULL,
    run_id     BIGINT NOT NULL
);
-- Columns added after the first release: a state made before them gets
-- them at its next writable open.
ALTER TABLE exclusions ADD COLUMN IF NOT EXISTS updated_at TIMESTAMP;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS as_of TIMESTAMP;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS stale BIGINT DEFAULT 0;
-- update and reactivate rows: the values before and after, aligned with
-- changed_fields (every synced field and the owner are VARCHAR).
ALTER TABLE changes ADD COLUMN IF NOT EXISTS old_values VARCHAR[];
ALTER TABLE changes ADD COLUMN IF NOT EXISTS new_values VARCHAR[];
