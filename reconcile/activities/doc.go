// Package activities is the activities half of a run (docs/design.md
// "Reconciliation"): it extracts Marketo activity exports into Arrow
// batches, stages them as Parquet before the run's transaction, and
// reconciles them against the people table inside it with the statements of
// sql/activity_*.sql.
//
//	Extract (before the transaction)          Reconcile (a load.Step, inside it)
//	Open(src) ─▶ Reader ─▶ Parquet file  ──▶  activities ─▶ sales_activity_log ─▶ salesforce_tasks
//	             └▶ Rejects                   ─▶ unsubscribe_violations ─▶ person_activity_summary
//	                                          ─▶ lifecycle_events ─▶ changes + people
//
// # Batches and ownership
//
// A Reader is an array.RecordReader: the batch returned by RecordBatch is
// owned by the reader and valid until the next call to Next; Extract writes
// each batch to the run's staging Parquet file while it is valid and keeps
// none. Readers are created with the allocator the caller passes in and
// release everything on Release (tests check it with a checked allocator).
//
// # Inputs
//
// The Bulk Activity Extract CSV (or TSV) with or without actionResult, with
// the header matched case-insensitively ignoring spaces, '_' and '-' (so the
// legacy " attributes" and snake_case work); JSON Lines of the REST activity
// shape. gzip is recognised by its magic bytes; a UTF-8 BOM, CRLF and quoted
// newlines are handled. Values are trimmed and the literal null is NULL.
// marketoGUID, leadId, activityDate and activityTypeId are required columns:
// a CSV without one fails the run before anything is written, as does a
// truncated gzip stream. Parquet is not an activity format.
//
// The CSV reader is RFC 4180 with one leniency: Marketo's legacy files write
// attributes as an unquoted JSON array, which is not CSV (its commas split
// it). A quote inside an unquoted field is data; once a record has a quote
// where RFC 4180 forbids one, later quotes in that record are data too, so
// the record ends with its line. When a record has more fields than the
// header and the surplus starts at the attributes column with '[' or '{',
// the raw text from the attributes field through the surplus is the
// attributes value. Any other field-count mismatch is a malformed_row.
//
// The record scanner (extract.CSVScanner) and the splitter that parses a
// big file's blocks concurrently (extract.Splitter) are the extract
// package's, shared with the people reader; what a record becomes (the
// rules above, the Arrow batch, the rejects) is this package's. A parallel
// read yields the same rows, in the same order, with the same rejects as a
// sequential one; only its batches may be shorter than DefaultBatchRows
// (each block's rows end a batch).
//
// Attributes, a JSON object or the legacy [{"name":…,"value":…}] array, are
// stored as one compact JSON object keyed by display name (a later
// duplicate name wins). Names the reconcile SQL reads are rewritten to one
// canonical spelling ("Sent by" → "Sent By"); others are kept as written.
//
// A row that cannot be used is a Reject with file, line, reason and the raw
// row: malformed_row (field count, an unterminated quote, a JSON line that
// is not an object, no marketoGUID (JSON Lines: nor id), a leadId,
// activityTypeId or campaignId that is not an integer), invalid_activity_date
// (missing or unparseable; Z, +0000 and naive UTC are accepted) and
// malformed_attributes. The rest of the file still loads. Rejects go to the
// rejects table (field NULL), never to a log.
//
// # Activity types
//
// BuiltinTypes is the public ids of activity_types.csv (embedded; licence in
// activity_types.LICENSE.md). LoadTypesFile adds an instance's
// GET /rest/v1/activities/types.json body and overrides built-in ids, which
// is how the three SIA types without a public id (Received Sales Call, Add
// to / Remove from Sales Campaign) are resolved. Names match case-, space-,
// '_'- and '-'-insensitively, with Adobe's alternate spellings ("Clicked
// Sales Email", "Sales Call Received", "Added to Sales Campaign", "Replied to
// Sales Email", …). An unknown id keeps a NULL type name and the category
// other; an unknown name keeps its spelling and the category other. Receive
// Sales Email (45) is taken as SIA's "Replied to Sales Email", as the sample
// table suggests but Adobe does not confirm.
package activities
