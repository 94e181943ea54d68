-- The plain-DuckDB-SQL baseline of actsync-bench: the people work of an
-- initial `actsync run`, written the way a data engineer would write it in
-- DuckDB alone. Run in a fresh database file with the working directory set
-- to the state directory (the snapshot is written to ./people.parquet) and
-- the input CSV in the variable people_file:
--
--   SET VARIABLE people_file = '/path/to/people.csv';
--
-- Same rules as actsync on the same input (docs/design.md "Inputs", "Pipeline"):
--   * every column read as text; an empty field and the literal null are NULL;
--     values are trimmed (a value that trims to '' is NULL too);
--   * a row whose id is not a positive integer is rejected (left out);
--   * a person's newest row wins: latest updatedAt, ties to the later file row;
--   * the winner needs a user owner: no owner or a queue (00G…, not an email)
--     is excluded;
--   * the 13 fields; Salesforce ids in their 18-character form, an invalid id
--     becomes NULL (the person stays); the owner is normalised the same way
--     when it is a Salesforce id and kept as written otherwise;
--   * duplicate emails: groups of two or more people sharing lower(trim(email));
--   * a zstd Parquet snapshot of people ordered by marketo_id.
-- The people table has no primary key, as a user would write it: the
-- QUALIFY already keeps one row per id, and a key costs its index build.
-- DuckDB runs with its default settings (threads = cores, memory limit).

-- The 18-character form of a 15- or 18-character Salesforce id, or NULL
-- when id is not one. The suffix encodes, per 5-character chunk, which
-- characters are upper case (bit i for character i) as an index into
-- A..Z0..5.
CREATE TEMP MACRO upper_bit(id, k, weight) AS
    CASE WHEN substr(id, k, 1) BETWEEN 'A' AND 'Z' THEN weight ELSE 0 END;
CREATE TEMP MACRO sfid_chunk(id, c) AS
    substr('ABCDEFGHIJKLMNOPQRSTUVWXYZ012345',
           1 + upper_bit(id, c * 5 + 1, 1) + upper_bit(id, c * 5 + 2, 2) + upper_bit(id, c * 5 + 3, 4)
             + upper_bit(id, c * 5 + 4, 8) + upper_bit(id, c * 5 + 5, 16), 1);
CREATE TEMP MACRO sfid18(id) AS
    CASE
        WHEN NOT regexp_full_match(id, '[0-9A-Za-z]{15}([0-9A-Za-z]{3})?') THEN NULL
        WHEN length(id) = 18 THEN id
        ELSE id || sfid_chunk(id, 0) || sfid_chunk(id, 1) || sfid_chunk(id, 2)
    END;
CREATE TEMP MACRO val(v) AS nullif(trim(v), '');

BEGIN TRANSACTION;

CREATE TABLE people (
    marketo_id           BIGINT,
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
    email_key            VARCHAR
);

INSERT INTO people
WITH raw AS (
    -- row_number() OVER () numbers rows in file order (DuckDB preserves
    -- insertion order); read_csv has no file_row_number.
    SELECT *, row_number() OVER () AS file_row
    FROM read_csv(getvariable('people_file'), header = true, all_varchar = true,
                  nullstr = ['null', ''])
),
latest AS (
    SELECT
        try_cast(val(id) AS BIGINT) AS marketo_id,
        val(firstName) AS first_name,
        val(lastName) AS last_name,
        val(email) AS email,
        val(phone) AS phone,
        val(company) AS company,
        val(title) AS title,
        val(linkedInProfileURL) AS linkedin_url,
        val(leadSource) AS source,
        val(sfdcLeadId) AS sfdc_lead_id,
        val(sfdcContactId) AS sfdc_contact_id,
        val(sfdcAccountId) AS sfdc_account_id,
        val(sfdcOpptyId) AS sfdc_opportunity_id,
        val(sfdcLeadOwnerId) AS owner,
        val(sfdcType) AS sfdc_type,
        val(unsubscribed) AS unsubscribed,
        try_cast(val(updatedAt) AS TIMESTAMPTZ) AS updated_at
    FROM raw
    WHERE try_cast(val(id) AS BIGINT) > 0
    QUALIFY row_number() OVER (
        PARTITION BY try_cast(val(id) AS BIGINT)
        ORDER BY try_cast(val(updatedAt) AS TIMESTAMPTZ) DESC NULLS LAST, file_row DESC) = 1
)
SELECT
    marketo_id, first_name, last_name, email, phone, company, title, linkedin_url, source,
    sfid18(sfdc_lead_id), sfid18(sfdc_contact_id), sfid18(sfdc_account_id), sfid18(sfdc_opportunity_id),
    coalesce(sfid18(owner), owner),
    sfdc_type,
    CASE lower(unsubscribed)
        WHEN 'true' THEN true WHEN '1' THEN true WHEN 'yes' THEN true WHEN 'y' THEN true WHEN 't' THEN true
        WHEN 'false' THEN false WHEN '0' THEN false WHEN 'no' THEN false WHEN 'n' THEN false WHEN 'f' THEN false
    END,
    timezone('UTC', updated_at),
    lower(trim(email))
FROM latest
WHERE owner IS NOT NULL
  AND NOT (starts_with(owner, '00G') AND NOT contains(owner, '@'));

CREATE TABLE duplicate_emails AS
SELECT email_key, count(*) AS person_count, list(marketo_id ORDER BY marketo_id) AS marketo_ids
FROM people
WHERE email_key IS NOT NULL
GROUP BY email_key
HAVING count(*) > 1;

COPY (SELECT * FROM people ORDER BY marketo_id) TO 'people.parquet' (FORMAT parquet, COMPRESSION zstd);

COMMIT;
