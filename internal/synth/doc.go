// Package synth generates deterministic, streaming, realistic synthetic
// Marketo Engage exports for load tests and benchmarks of actsync:
//
//   - WritePeople writes a Bulk Lead Extract style people CSV (or TSV), in one
//     of three header spellings (REST API names, UI display names, snake_case),
//     either as the initial export (Day 0) or as the delta export of day d.
//   - WriteActivities writes a Bulk Activity Extract CSV whose leadIds point at
//     the people of WritePeople.
//
// # Determinism and memory
//
// Nothing is kept per row. Every value of person number i (1-based) is derived
// from (Seed, i) alone: a PCG generator (math/rand/v2) is re-seeded from a
// splitmix64 hash of (Seed, stream, i) before the row is built, so a row can
// be rebuilt at any time without having generated the others. Same options give
// byte-identical output on every platform; memory use does not depend on N
// (a fixed set of lookup tables, one row buffer and a 64 KiB bufio.Writer).
// Rows are built into one byte buffer and emitted through encoding/csv, which
// quotes what needs quoting (commas, quotes, embedded newlines, leading spaces).
//
// # People model
//
// Person i has Marketo id 1000000+i. Its attributes follow Marketo/Salesforce
// shapes and rough real-world proportions:
//
//   - sales owner (sfdcLeadOwnerId): ~70% a Salesforce user ("005…", one of a
//     fixed pool of 240 reps, written as 15 or 18 characters), ~6% a queue
//     ("00G…"), the rest empty. Rows with no owner are sometimes not synced to
//     Salesforce at all (no sfdcType, no Salesforce ids).
//   - sfdcType "Lead" carries an sfdcLeadId ("00Q…") and no contact id;
//     "Contact" carries an sfdcContactId ("003…") and the sfdcAccountId ("001…")
//     of its company (people of one company share the account id), and ~30%
//     an sfdcOpptyId ("006…"). Each Salesforce id is written in its 15-character
//     form or its 18-character form with the correct case-checksum suffix.
//     ~0.5% of rows carry exactly one invalid id (cut to 12 characters or with
//     a '-' inside).
//   - email: unique by construction (the local part ends with i) except for the
//     ~1% of rows that copy the email of an earlier, non-duplicate row, so ~2%
//     of rows belong to a duplicate-email group; the copy sometimes differs in
//     case or carries surrounding whitespace.
//   - ~5% of rows have a non-ASCII first and/or last name (Jürgen, Zoë, José,
//     李, Øyvind…); some companies contain commas or double quotes; ~0.3% of
//     titles contain a newline.
//   - an empty value is written as the literal null (as the Bulk Extract does)
//     about half of the time and as an empty field otherwise.
//   - updatedAt lies in 2025 (RFC 3339, UTC, "Z"), createdAt before it;
//     unsubscribed is true for ~3%; leadScore is a column actsync does not know.
//
// # Delta exports
//
// PeopleOptions.Day = d > 0 writes the delta export of day d for an initial
// export of the same N and Seed. Each person is touched on day d with
// probability 1/100 (a hash of Seed, d, i), so a delta holds ~N/100 rows in id
// order, followed by max(1, N/2000) brand-new people whose ids lie above
// every id of the initial export and of the earlier deltas. A touched person is
// written with its state after all the changes of days 1..d (deltas are
// cumulative and consistent with one another), updatedAt on day d (2026-01-01
// is day 1, so always later than the initial export). The change of a day is
// one of: title (20%), phone (15%), owner moved to another user (13%), nothing
// synced (only updatedAt, sometimes unsubscribed and leadScore: 37%), owner
// removed (8%), owner set to a queue (7%).
//
// # Activities model
//
// WriteActivities writes N activities with marketoGUIDs strictly increasing
// from 900000000 and activityDates non-decreasing across 2025. Activity types
// are 1, 2, 6, 7, 9, 10, 11, 12, 32, 37, 39, 40, 41, 45, 46 and 48, with
// attributes keyed by display name ("Sent By", "Email Subject", "Template", …)
// as a JSON object, or as the legacy [{"name":…,"value":…}] array when
// LegacyAttributes is set. leadId is a person in 1000000+[1, People], skewed
// towards low ids; ~3% are ids no person has; ~12% of the sales email
// activities (39, 40, 41, 45, 48) have an empty leadId and an "Email" attribute
// instead. Sales activities are sent by the person's owner when it is a user.
// Emails and owners in activities agree with WritePeople only when both use the
// same Seed (ids agree whatever the seed).
package synth
