-- The reconciliation tables (docs/design.md "Activity tables"). Idempotent:
-- run by the reconcile step at the start of every run that has activity
-- inputs.
CREATE TABLE IF NOT EXISTS activities (
    marketo_guid               VARCHAR NOT NULL, -- unique: activities/020_activity_match.sql inserts only unseen GUIDs
    lead_id                    BIGINT,
    activity_date              TIMESTAMP NOT NULL,
    activity_type_id           INTEGER NOT NULL,
    type_name                  VARCHAR,
    category                   VARCHAR NOT NULL,
    sales_kind                 VARCHAR,
    campaign_id                BIGINT,
    primary_attribute_value_id VARCHAR,
    primary_attribute_value    VARCHAR,
    attributes                 VARCHAR,
    action_result              VARCHAR,
    email                      VARCHAR,
    match                      VARCHAR NOT NULL,
    marketo_id                 BIGINT,
    run_id                     BIGINT NOT NULL,
    source_file                VARCHAR NOT NULL,
    source_line                BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS sales_activity_log (
    run_id                  BIGINT NOT NULL,
    marketo_guid            VARCHAR NOT NULL,
    marketo_id              BIGINT NOT NULL,
    activity_date           TIMESTAMP NOT NULL,
    sales_kind              VARCHAR NOT NULL,
    type_name               VARCHAR NOT NULL,
    sent_by                 VARCHAR,
    received_by             VARCHAR,
    email_subject           VARCHAR,
    template                VARCHAR,
    template_id             VARCHAR,
    sales_campaign_name     VARCHAR,
    sales_campaign_url      VARCHAR,
    link                    VARCHAR,
    artifact_id             VARCHAR,
    call_subject            VARCHAR,
    call_status             VARCHAR,
    call_duration           VARCHAR,
    call_duration_seconds   INTEGER,
    phone_number_called     VARCHAR,
    call_recording_url      VARCHAR,
    call_answered_by        VARCHAR,
    bounce_details          VARCHAR,
    marketo_sales_person_id VARCHAR,
    source                  VARCHAR
);
CREATE TABLE IF NOT EXISTS salesforce_tasks (
    run_id                  BIGINT NOT NULL,
    marketo_guid            VARCHAR NOT NULL,
    marketo_id              BIGINT NOT NULL,
    who_id                  VARCHAR NOT NULL,
    what_id                 VARCHAR,
    owner_id                VARCHAR,
    owner_email             VARCHAR,
    subject                 VARCHAR NOT NULL,
    activity_date           DATE NOT NULL,
    status                  VARCHAR NOT NULL,
    task_subtype            VARCHAR NOT NULL,
    call_type               VARCHAR,
    call_duration_in_seconds INTEGER,
    call_disposition        VARCHAR
);
CREATE TABLE IF NOT EXISTS unsubscribe_violations (
    run_id          BIGINT NOT NULL,
    marketo_guid    VARCHAR NOT NULL,
    marketo_id      BIGINT NOT NULL,
    sent_at         TIMESTAMP NOT NULL,
    sent_by         VARCHAR,
    unsubscribed_at TIMESTAMP,
    evidence        VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS person_activity_summary (
    marketo_id                 BIGINT PRIMARY KEY,
    activities                 BIGINT NOT NULL,
    sales_email                BIGINT NOT NULL,
    sales_call                 BIGINT NOT NULL,
    sales_campaign             BIGINT NOT NULL,
    marketing_email            BIGINT NOT NULL,
    web                        BIGINT NOT NULL,
    form                       BIGINT NOT NULL,
    interesting_moment         BIGINT NOT NULL,
    lifecycle                  BIGINT NOT NULL,
    other                      BIGINT NOT NULL,
    last_activity_at           TIMESTAMP NOT NULL,
    last_sales_activity_at     TIMESTAMP,
    last_interesting_moment_at TIMESTAMP,
    last_interesting_moment    VARCHAR,
    run_id                     BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS lifecycle_events (
    run_id        BIGINT NOT NULL,
    marketo_id    BIGINT NOT NULL,
    reason        VARCHAR NOT NULL,
    merged_into   BIGINT,
    marketo_guid  VARCHAR NOT NULL,
    activity_date TIMESTAMP NOT NULL,
    outcome       VARCHAR NOT NULL
);
