// Package salesforce is the two-way reconciliation between SIA and
// Salesforce (R7, R8 in docs/design.md): reminder tasks and email opt-outs
// are kept in step both ways, as a batch job over exports. It reads four
// inputs, stages them, and adds a load.Step that computes, inside the run's
// DuckDB transaction, the changes each side must apply. It applies nothing
// itself: the output tables are the work orders for whatever writes to
// Salesforce and to SIA, and nothing is ever written to Marketo (R8).
//
// # Model
//
// Extract (before the transaction) reads each input with Read: CSV, TSV or
// JSON Lines, optionally gzip; headers matched like the people exports
// (case-insensitive, ignoring spaces, '_' and '-', several spellings per
// field); values trimmed, "" and null absent; Salesforce ids normalised to
// 18 characters with mapping.NormalizeSFDCID. A row that cannot be used is
// a Reject (file, line, reason, raw row) and reading goes on; a file
// without a required column fails the run before anything is written.
// Read builds Arrow batches of Input.Schema() with the caller's allocator
// and lends each to its emit callback, which must not keep it: Read
// releases it when emit returns. Extract's callback writes the batch to the
// input's Parquet staging file (state.StagingFile), so no batch outlives
// Extract. An input that was not given is staged empty.
//
// Reconcile.Apply then runs sql/sf_*.sql, one statement per file, with
// bound parameters: four stage statements load the inputs into temporary
// tables with each row's person resolved; salesforce/050_sf_task_pairs.sql pairs tasks and
// decides an action per pair or lone task; salesforce/060_sf_task_fields.sql compares the
// paired tasks field by field; the to_* statements write the changes; the
// links statements and salesforce/150_sf_optout_state.sql record the state that makes a
// rerun a no-op. The temporary tables are dropped before Apply returns.
//
// # State and idempotence
//
// task_links keeps one row per tracked pair: the SIA and Salesforce ids
// (one of them NULL while a create we asked for is pending), each side's
// values as last seen, and the values both sides were last told to hold
// (agreed). A side changed a field when its value differs from both its
// last-seen and the agreed value, so an unapplied change (the old value
// still in the export) and our own write coming back are not changes.
// optout_state keeps what each side was asked to apply. Running again with
// the same inputs therefore produces no change row.
//
// # Decisions
//
// Where the contract is silent, the package decides as a RevOps engineer
// would expect; docs/operations.md's rules table lists the same decisions:
//   - Reminder tasks are Salesforce Tasks with TaskSubtype 'Task' (or none);
//     emails and calls sync one way (R7) and are ignored here.
//   - Synced task fields: subject, due date (ActivityDate) and completion
//     (IsClosed; Status 'Completed' / 'Not Started' when it changes).
//   - Tie in modification time: Salesforce wins. A pair seen for the first
//     time has no "last run": differing fields go to the side modified
//     last, without a conflict row.
//   - Absence is not deletion: only IsDeleted = true deletes, and only a
//     task that was synced with SIA.
//   - A key (person, subject, due date) with several candidates on either
//     side pairs nothing and creates nothing (ambiguous_match).
//   - Opt-outs are a latch: a re-subscribe (false) is read but never
//     synced. The Salesforce record written is the contact when the person
//     has one (a converted lead is read-only), else the lead; an opt-out
//     seen on either record counts for the person. An SIA unsubscribe by
//     email applies to every person with the address. Opt-outs apply to
//     inactive people too (compliance does not depend on sync status).
//   - Marketo's unsubscribed is not written anywhere: SIA reads it from the
//     people table (R8), Marketo's own CRM sync writes it to Salesforce;
//     the report counts the people whose Salesforce record does not show it
//     yet.
package salesforce
