-- The two-way reconciliation tables with Salesforce (docs/design.md R7, R8).
-- Idempotent: run by the salesforce step at the start of every run that
-- has two-way inputs. The five *_changes_to_* / task_conflicts tables are
-- per-run outputs (snapshotted); task_links and optout_state are the state
-- that makes a rerun with the same inputs produce no change.
CREATE TABLE IF NOT EXISTS task_links (
    actions_task_id          VARCHAR,          -- NULL until SIA creates the task we asked for
    salesforce_task_id       VARCHAR,          -- NULL until Salesforce creates the task we asked for
    marketo_id               BIGINT,
    origin                   VARCHAR NOT NULL, -- paired_by_link | paired_by_key | created_in_salesforce | created_in_actions
    actions_subject          VARCHAR,          -- the SIA side as last seen (or as created from it)
    actions_due_date         DATE,
    actions_completed        BOOLEAN,
    actions_updated_at       TIMESTAMP,        -- NULL: the SIA side was never seen
    salesforce_subject       VARCHAR,          -- the Salesforce side as last seen
    salesforce_activity_date DATE,
    salesforce_is_closed     BOOLEAN,
    salesforce_modified_at   TIMESTAMP,        -- NULL: the Salesforce side was never seen
    agreed_subject           VARCHAR,          -- the values both sides were last told to hold
    agreed_due_date          DATE,
    agreed_completed         BOOLEAN,
    deleted_run_id           BIGINT,           -- the run that deleted the SIA task after a Salesforce deletion
    first_run_id             BIGINT NOT NULL,
    last_run_id              BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS optout_state (
    side       VARCHAR NOT NULL, -- salesforce | actions: the side we told
    marketo_id BIGINT NOT NULL,
    record_id  VARCHAR,          -- the Lead or Contact told (side salesforce)
    run_id     BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS task_changes_to_salesforce (
    run_id             BIGINT NOT NULL,
    op                 VARCHAR NOT NULL, -- create | update
    salesforce_task_id VARCHAR,          -- NULL for create
    actions_task_id    VARCHAR NOT NULL,
    marketo_id         BIGINT NOT NULL,
    who_id             VARCHAR,
    what_id            VARCHAR,
    owner_id           VARCHAR,
    subject            VARCHAR,
    activity_date      DATE,
    status             VARCHAR,
    task_subtype       VARCHAR NOT NULL,
    changed_fields     VARCHAR[] NOT NULL,
    reason             VARCHAR NOT NULL  -- created_in_actions | changed_in_actions | conflict_actions_newer
);
CREATE TABLE IF NOT EXISTS task_changes_to_actions (
    run_id             BIGINT NOT NULL,
    op                 VARCHAR NOT NULL, -- create | update | delete
    actions_task_id    VARCHAR,          -- NULL for create
    salesforce_task_id VARCHAR NOT NULL,
    marketo_id         BIGINT,
    subject            VARCHAR,
    due_date           DATE,
    completed          BOOLEAN,
    changed_fields     VARCHAR[] NOT NULL,
    reason             VARCHAR NOT NULL  -- created_in_salesforce | changed_in_salesforce | conflict_salesforce_newer | deleted_in_salesforce
);
CREATE TABLE IF NOT EXISTS task_conflicts (
    run_id                 BIGINT NOT NULL,
    actions_task_id        VARCHAR NOT NULL,
    salesforce_task_id     VARCHAR NOT NULL,
    marketo_id             BIGINT,
    field                  VARCHAR NOT NULL, -- subject | due_date | completed
    previous_value         VARCHAR,          -- the value both sides last agreed on
    actions_value          VARCHAR,
    salesforce_value       VARCHAR,
    actions_updated_at     TIMESTAMP NOT NULL,
    salesforce_modified_at TIMESTAMP NOT NULL,
    winner                 VARCHAR NOT NULL  -- actions | salesforce: the side modified last
);
CREATE TABLE IF NOT EXISTS optout_changes_to_salesforce (
    run_id                 BIGINT NOT NULL,
    marketo_id             BIGINT NOT NULL,
    sobject                VARCHAR NOT NULL, -- Contact | Lead
    record_id              VARCHAR NOT NULL,
    has_opted_out_of_email BOOLEAN NOT NULL,
    sources                VARCHAR[] NOT NULL -- where the opt-out was seen: actions, salesforce_lead, salesforce_contact
);
CREATE TABLE IF NOT EXISTS optout_changes_to_actions (
    run_id       BIGINT NOT NULL,
    marketo_id   BIGINT NOT NULL,
    unsubscribed BOOLEAN NOT NULL,
    sources      VARCHAR[] NOT NULL
);
