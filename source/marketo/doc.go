// Package marketo is the Marketo Engage Bulk Extract API as a source.
// It does not feed the pipeline directly: it lands the exports
// as ordinary files, in the formats stages/extract and reconcile/activities
// already read, and the run then reads those files like any other input.
// So a run from Marketo and a run from the same data as files go through
// the same code, and `actsync extract` can land files without loading them.
//
//	Land: describe ─▶ plan windows ─▶ create ─▶ enqueue ─▶ poll ─▶ download (.part, Range) ─▶ verify ─▶ rename
//	      deletedleads.json pages ─▶ activities/deleted_leads-….csv (Delete Lead, type 37)
//	Commit: the range is handed on (run: after its commit); the next Land starts at its end
//
// # Landing directory and ledger
//
//	DIR/.marketo-jobs.json   the ledger (Ledger): every export, its window, id, status, file
//	DIR/.marketo.lock        one process lands into DIR at a time (flock)
//	DIR/.partial/<id>.part   downloads in progress
//	DIR/people/leads-<filter>-<start>-<end>.csv
//	DIR/activities/activities-createdAt-<start>-<end>.csv, deleted_leads-<since>-<until>.csv
//
// Hidden names keep the ledger and partial files out of extract.Discover's
// directory walk. `actsync run` lands into <state>/marketo; `actsync
// extract` into --out.
//
// The ledger is a JSON file written atomically (temporary file, fsync,
// rename) after every step, not a DuckDB table: landing happens before a
// run's transaction and outside the state's writer lock (it may wait hours
// on Marketo's queue), a quota stop must leave the database untouched, and
// extract has no state at all. An export id is in the ledger as soon as
// Marketo returns it, so a stop at any point — quota, error, Ctrl-C, a kill
// — loses no export: the same command resumes, polls the exports it left
// queued and reuses those that finished. A landed file is checked again
// (size and sha256) before reuse.
//
// # Windows
//
// The range [since, until) is cut into windows of at most MaxWindow (31
// days, Marketo's limit); a window's end is the next one's start. Leads are
// filtered on updatedAt, activities on createdAt. A record exactly on a
// boundary may be exported twice: a person's second row is superseded (the
// same values), an activity is deduplicated by marketoGUID. Files are named
// by window in UTC, so a directory's name order is time order and a
// person's later row is the newer one. since defaults to the end of the
// last range handed on (Ledger.Done), so nightly runs need no --since;
// until defaults to now. A re-planned range reuses the ledger's windows
// that start where the cover has reached (the short last window of a run
// stopped by the quota, say) and goes on from their end.
//
// When the subscription answers 1035 to an updatedAt filter (a subscription
// type without it), leads fall back to createdAt with a one-line warning:
// such an export misses changes to people created before the range, which
// the warning says. The ledger remembers the fallback.
//
// A leads export asks for the LeadFields the subscription has
// (describe.json): an export naming an unknown field fails as a whole,
// while a field the instance lacks just has no value. Activities are
// asked for the types actsync reconciles (the caller's list); Delete Lead
// (37) cannot be bulk-exported and comes from deletedleads.json, paged from
// a paging token for since, into a Bulk Activity CSV of type 37 rows, which
// the activities stage turns into deleted_in_marketo deactivations. The
// deleted person's name (primaryAttributeValue) is not kept.
//
// # Limits, errors and retries
//
// At most MaxQueued (10) of the exports are queued or processing; Marketo
// runs 2 at a time. A 1029 "Too many jobs in queue" (other integrations
// share the queue) waits for the next pass; a 1029 "Export daily quota
// exceeded" (500 MB a day by default, reset at midnight US Central) stops
// creating and enqueuing, lets the queued exports finish and land, then
// Land returns a *QuotaError naming the reset time (actsync exits 3).
// Status is polled every PollInterval (a minute) per pass, never more
// often. HTTP 502/503/504, network errors and Marketo's 502, 604, 606, 608,
// 611 and 615 are retried Client.Retries times, waiting Backoff (2 s)
// doubled each time up to MaxBackoff; the access token is renewed a minute
// before it expires and once per call on 601/602.
//
// Nothing unverified lands. A download is written to a .part file and
// resumed with Range after a cut; the whole file must have Marketo's
// fileSize, its sha256 must equal fileChecksum and its CSV must hold
// numberOfRecords records. On a mismatch it is downloaded once more; a 404
// (Marketo keeps files seven days) creates the export anew, once; a second
// failure is an error. A Failed or Cancelled export is an error, and the
// next run creates it anew. Errors are one line and name the window and
// export id.
//
// # Secrets and personal data
//
// Config comes from the environment only (ConfigFromEnv). The secret is
// sent only to the token endpoint; errors never include a request URL
// (transportError strips it), and the ledger holds export ids, windows,
// sizes and checksums, never a token. Log lines carry windows, counts and
// Marketo's error texts, never a person's data.
//
// # Time
//
// Everything that waits or reads the time goes through a Clock: backoff,
// polls, token expiry and the quota reset. Tests pass
// marketotest.FakeClock, which advances instantly; the command-line code
// reaches it through WithClock on the context.
//
// # Files
//
// land.go is Land (describe, windows, specs) and Commit; jobs.go the
// polling loop (create, enqueue, poll); download.go fetching and checking a
// file; records.go its checksum and CSV record count; deleted.go the
// deleted-leads pager; ledger.go, plan.go, client.go and clock.go the rest.
package marketo
