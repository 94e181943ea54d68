// Package load is the last stage of a people sync: it stages the run's
// people, exclusions and rejects as Parquet, then in one DuckDB transaction
// detects changes (sql/people/060_changes.sql), applies them, reports duplicate emails,
// records the run and writes the run's Parquet snapshots. Snapshots are
// written to a staging directory inside the transaction and moved into
// snapshots/<table>/run_id=<id>/ after the commit, so a reader never sees a
// half-written partition; runs/<id>.json is written last, by rename.
package load

import (
	"context"
	dbsql "database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"

	"github.com/actsync/actsync/internal/atomicfile"
	"github.com/actsync/actsync/pipeline"
	sqlfiles "github.com/actsync/actsync/sql"
	"github.com/actsync/actsync/state"
)

// Step is further work inside a run's transaction, done after the people
// changes are applied and before duplicate emails and counts are computed:
// the reconcile step. A step may add change rows of its own (a lifecycle
// deactivation) and update people accordingly; it must bind values as
// parameters. Tables it names in SnapshotTables have a run_id column and get
// a snapshot of the run's rows like the people tables: Commit copies the
// run's rows of each to Loader.SnapshotPath(table), unless the step has
// already written that file itself, from exactly the rows it inserted.
type Step interface {
	Name() string
	Apply(ctx context.Context, tx *dbsql.Tx, runID int64, report *pipeline.Report) error
	SnapshotTables() []string
}

// Options are a run's safety settings.
type Options struct {
	// MaxDeactivatePct is the mass-change breaker: a run whose change
	// detection (sql/people/060_changes.sql) would deactivate more than this percentage
	// of the people active before it fails with a *MassChangeError before
	// committing. 0 means DefaultMaxDeactivatePct; 100 allows anything.
	// Merge Leads / Delete Lead deactivations of a Step are not counted:
	// each is an explicit event, not an absence.
	MaxDeactivatePct float64
	// DryRun runs everything up to the commit, fills the report (with
	// Report.DryRun listing the first ids per op), then rolls back and
	// removes the staging directory: no table, snapshot or report changes.
	DryRun bool
}

// DefaultMaxDeactivatePct is the breaker's threshold when none is given.
const DefaultMaxDeactivatePct = 10

// MassChangeError is returned by Commit when a run would deactivate more
// people than Options.MaxDeactivatePct allows. Nothing was committed.
type MassChangeError struct {
	RunID       int64
	Deactivate  int64 // people the run would deactivate
	Active      int64 // people active before the run
	MaxPct      float64
	FullExport  bool
	SuggestFlag string // the flag that would let the run through
}

func (e *MassChangeError) Error() string {
	pct := 100 * float64(e.Deactivate) / float64(e.Active)
	hint := ""
	if e.FullExport {
		hint = " (a truncated --full export?)"
	}
	return fmt.Sprintf("run %d would deactivate %d of %d active people (%.1f%%), more than the %g%% allowed%s; nothing was changed; if this is intended, rerun with %s",
		e.RunID, e.Deactivate, e.Active, pct, e.MaxPct, hint, e.SuggestFlag)
}

// Loader is the load stage of one run. Create it with New, Write every
// batch, then Commit or Abort.
type Loader struct {
	opts    Options
	st      *state.State
	ledger  *pipeline.Ledger
	runID   int64
	full    bool
	staging string
	people  *peopleStream
	// exclusions receives the ledger's exclusions as filter records them
	// (pipeline.Ledger.SpillExclusions); Commit inserts them from it.
	exclusions *state.StagingFile
	tx         *dbsql.Tx // the run's transaction, begun by Start
	first      bool      // a first sync (Start): the stream goes straight into people
	done       bool
	steps      []Step
}

// SetOptions sets the run's safety options; call it before Commit.
func (l *Loader) SetOptions(o Options) { l.opts = o }

// AddStep adds a step to run inside the transaction, in the order added.
func (l *Loader) AddStep(s Step) { l.steps = append(l.steps, s) }

// StagingDir is the run's private scratch directory, removed after the run;
// steps may stage their own files there.
func (l *Loader) StagingDir() string { return l.staging }

// SnapshotPath is the file that holds the run's snapshot of table until
// Commit publishes it under snapshots/<table>/run_id=<id>/. Its directory
// may not exist yet.
func (l *Loader) SnapshotPath(table string) string {
	return filepath.Join(l.staging, "snapshots", table, "data.parquet")
}

// New prepares run runID against st. full declares the inputs a complete
// export: active people absent from them are deactivated.
func New(st *state.State, ledger *pipeline.Ledger, runID int64, full bool) (*Loader, error) {
	staging := filepath.Join(st.Dir, state.StagingDir, "run-"+strconv.FormatInt(runID, 10))
	// A staging directory left by a run that died is garbage: its run never
	// committed.
	if err := os.RemoveAll(staging); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(staging, 0o700); err != nil {
		return nil, err
	}
	// Dictionaries only where values repeat (the reason, the input): for
	// ids, lines and times the encoder's hash table is work that falls back
	// to plain pages anyway.
	exclusions, err := state.NewStagingFile(filepath.Join(staging, exclusionsFile), pipeline.ExclusionSchema,
		parquet.WithDictionaryDefault(false),
		parquet.WithDictionaryFor("reason", true),
		parquet.WithDictionaryFor(pipeline.ColFile, true))
	if err != nil {
		os.RemoveAll(staging)
		return nil, err
	}
	ledger.SpillExclusions(exclusions, exclusionBatchRows)
	return &Loader{st: st, ledger: ledger, runID: runID, full: full, staging: staging,
		people: newPeopleStream(pipeline.KeyedPersonSchema), exclusions: exclusions}, nil
}

// exclusionsFile is the staging file of the run's exclusions, and
// exclusionBatchRows how many the ledger holds before it writes them there.
const (
	exclusionsFile     = "exclusions.parquet"
	exclusionBatchRows = 64 * 1024
)

// Start begins the run's transaction, records the run's inputs and starts
// the scan that takes the batches Write hands on (pipeline.Starter): into
// the temporary table incoming_rows (sql/people/stage_people.sql), or, on a first
// sync, straight into people (sql/people/first_sync_people.sql). The scan runs
// while the pipeline produces the rest; Commit waits for it.
func (l *Loader) Start(ctx context.Context, report *pipeline.Report) error {
	if l.tx != nil {
		return nil
	}
	tx, err := l.st.Conn().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	l.tx = tx
	t := time.Now()
	for i, in := range report.Inputs {
		if _, err := tx.ExecContext(ctx, sqlfiles.Text("run/insert_input"), l.runID, i, in.Path, in.Format, in.SHA256, in.Bytes, in.Rows); err != nil {
			return fmt.Errorf("run/insert_input.sql: %w", err)
		}
	}
	report.Stages = append(report.Stages, pipeline.StageTiming{Stage: "load/insert_input", Seconds: time.Since(t).Seconds()})
	if err := tx.QueryRowContext(ctx, "SELECT NOT EXISTS (FROM people) AND NOT EXISTS (FROM person_exits)").Scan(&l.first); err != nil {
		return err
	}
	if l.first {
		return l.people.start(ctx, l.st.Conn(), tx, "people_stream", sqlfiles.Text("people/first_sync_people"), l.runID)
	}
	return l.people.start(ctx, l.st.Conn(), tx, "people_stream", sqlfiles.Text("people/stage_people"))
}

// Write hands a batch of pipeline.KeyedPersonSchema to the scan Start
// began; it borrows b.
func (l *Loader) Write(ctx context.Context, b arrow.RecordBatch) error {
	if l.tx == nil {
		return errors.New("load: Write before Start")
	}
	return l.people.send(ctx, b)
}

// Abort discards the staged run. It is safe after Commit.
func (l *Loader) Abort() error {
	l.exclusions.Close() // the file goes with the staging directory
	if l.tx != nil && !l.done {
		l.people.abort()
		// The temporary table goes with the transaction.
		l.tx.Rollback()
	}
	if l.done {
		return nil
	}
	l.done = true
	return os.RemoveAll(l.staging)
}

// Commit applies the run in one transaction and fills the report's change,
// people and duplicate counts.
func (l *Loader) Commit(ctx context.Context, report *pipeline.Report) error {
	if err := l.Start(ctx, report); err != nil {
		return err
	}
	t0 := time.Now()
	if err := l.people.finish(); err != nil {
		return fmt.Errorf("staging people: %w", err)
	}
	report.Stages = append(report.Stages, pipeline.StageTiming{Stage: "load/stage_people", Seconds: time.Since(t0).Seconds()})
	if report.AsOf.IsZero() {
		report.AsOf = report.StartedAt
	}
	if err := errors.Join(l.ledger.FlushExclusions(), l.exclusions.Close()); err != nil {
		return fmt.Errorf("staging exclusions: %w", err)
	}
	exclusions := filepath.Join(l.staging, exclusionsFile)
	rejects, err := l.stageBatch("rejects.parquet", pipeline.RejectSchema, l.ledger.Rejects())
	if err != nil {
		return err
	}

	tx := l.tx
	defer tx.Rollback()
	run := l.runner(ctx, tx, report)
	var activeBefore int64
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM people WHERE status = 'active'").Scan(&activeBefore); err != nil {
		return err
	}
	if err := run.Exec(ctx, "people/insert_exclusions", l.runID, exclusions); err != nil {
		return err
	}
	if err := run.Exec(ctx, "people/insert_rejects", l.runID, rejects); err != nil {
		return err
	}
	if l.first {
		// Nothing to compare with: no stale or late rows, no updates, and
		// no deactivations (filter kept each person synced or excluded).
		if err := run.Exec(ctx, "people/first_sync_changes", l.runID); err != nil {
			return err
		}
	} else {
		after := run.After
		run.After = func(label string) error {
			if err := after(label); err != nil || label != "changes" {
				return err
			}
			return l.checkDeactivations(ctx, tx, activeBefore)
		}
		err := run.Run(ctx, "people", l.peopleArgs(report))
		run.After = after
		if err != nil {
			return err
		}
	}
	for _, s := range l.steps {
		t := time.Now()
		if err := s.Apply(ctx, tx, l.runID, report); err != nil {
			return fmt.Errorf("%s: %w", s.Name(), err)
		}
		report.Stages = append(report.Stages, pipeline.StageTiming{Stage: "load/" + s.Name(), Seconds: time.Since(t).Seconds()})
	}
	if err := run.Run(ctx, "finish", l.finishArgs()); err != nil {
		return err
	}
	if err := l.reportDuplicates(ctx, tx, run); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DROP VIEW IF EXISTS incoming; DROP TABLE IF EXISTS run_marks;
		DROP TABLE IF EXISTS dup_keys; DROP TABLE IF EXISTS incoming_rows`); err != nil {
		return err
	}
	if err := l.countStale(ctx, tx, report); err != nil {
		return err
	}
	c := &report.Changes
	if err := tx.QueryRowContext(ctx, sqlfiles.Text("run/run_counts"), l.runID).Scan(
		&c.Insert, &c.Update, &c.Deactivate, &c.Reactivate,
		&report.Active, &report.Inactive, &report.DupGroups, &report.DupPeople); err != nil {
		return fmt.Errorf("run/run_counts.sql: %w", err)
	}
	report.FinishedAt = time.Now().UTC()
	if l.opts.DryRun {
		return l.rollBackDryRun(ctx, tx, report)
	}
	doc, err := json.Marshal(report)
	if err != nil {
		return err
	}
	r := report.Rows
	if err := run.Exec(ctx, "run/insert_run", l.runID, report.StartedAt, report.FinishedAt, report.Full,
		r.Read, r.Synced, r.Excluded, r.Rejected, r.Superseded,
		c.Insert, c.Update, c.Deactivate, c.Reactivate,
		report.Active, report.Inactive, report.DupGroups, string(doc), report.AsOf, r.Stale); err != nil {
		return err
	}
	tables := l.snapshotTables()
	j := state.Journal{RunID: l.runID, Report: filepath.Join(state.RunsDir, strconv.FormatInt(l.runID, 10)+".json")}
	for _, table := range tables {
		path := l.SnapshotPath(table)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
		t := time.Now()
		if table == "people" {
			// The one whole-table snapshot: copied after the commit
			// (state.CopyTable).
			rel, err := filepath.Rel(l.st.Dir, path)
			if err != nil {
				return err
			}
			j.Copies = append(j.Copies, state.Copy{Table: table, File: rel})
			continue
		}
		if _, err := os.Stat(path); err == nil {
			// Written by a step from the rows it inserted (Step).
		} else if _, err := tx.ExecContext(ctx, snapshotSQL(table, l.runID, path)); err != nil {
			return fmt.Errorf("snapshot %s: %w", table, err)
		} else {
			report.Stages = append(report.Stages, pipeline.StageTiming{Stage: "load/snapshot " + table, Seconds: time.Since(t).Seconds()})
		}
		// DuckDB creates the file with the process umask.
		if err := os.Chmod(path, 0o600); err != nil {
			return err
		}
	}
	// The journal lists what the run publishes after its commit; a run
	// killed after the commit is completed from it by the next Open.
	for _, table := range tables {
		j.Renames = append(j.Renames, state.Rename{
			From: filepath.Join(state.StagingDir, filepath.Base(l.staging), "snapshots", table),
			To:   filepath.Join(state.SnapshotDir, table, "run_id="+strconv.FormatInt(l.runID, 10)),
		})
	}
	if err := state.WriteJournal(l.staging, j); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	state.CrashPoint("before-commit")
	t := time.Now()
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	state.CrashPoint("after-commit")
	l.done = true
	report.Stages = append(report.Stages, pipeline.StageTiming{Stage: "load/commit", Seconds: time.Since(t).Seconds()})

	// The run is committed. What follows publishes files derived from it;
	// a failure here is reported but cannot undo the commit, and the next
	// Open completes it from the journal.
	// The copies' timings reach the report the run returns, not
	// runs/<id>.json: that was stored in the commit.
	for _, c := range j.Copies {
		t := time.Now()
		if err := l.st.CopyTable(ctx, c.Table, filepath.Join(l.st.Dir, c.File)); err != nil {
			return fmt.Errorf("run %d is committed; its snapshots are not published yet (the next run completes them): %w", l.runID, err)
		}
		report.Stages = append(report.Stages, pipeline.StageTiming{Stage: "load/snapshot " + c.Table, Seconds: time.Since(t).Seconds()})
		state.CrashPoint("after-copy")
	}
	var errs []error
	for _, r := range j.Renames {
		dst := filepath.Join(l.st.Dir, r.To)
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, os.Rename(filepath.Join(l.st.Dir, r.From), dst))
		state.CrashPoint("after-rename")
	}
	errs = append(errs, atomicfile.WriteFile(filepath.Join(l.st.Dir, j.Report), append(doc, '\n')))
	state.CrashPoint("after-report")
	if errors.Join(errs...) == nil {
		// Removing the journal first marks the run as published in full.
		errs = append(errs, os.Remove(filepath.Join(l.staging, state.JournalFile)), os.RemoveAll(l.staging))
	}
	return errors.Join(errs...)
}

// countStale moves the run's stale rows (sql/people/020_insert_stale.sql) out of the
// synced and excluded counts into Rows.Stale: they were applied to nothing.
func (l *Loader) countStale(ctx context.Context, tx *dbsql.Tx, report *pipeline.Report) error {
	rows, err := tx.QueryContext(ctx, "SELECT kind, count(*) FROM stale_rows WHERE run_id = $1 GROUP BY kind", l.runID)
	if err != nil {
		return err
	}
	defer rows.Close()
	r := &report.Rows
	for rows.Next() {
		var kind string
		var n int64
		if err := rows.Scan(&kind, &n); err != nil {
			return err
		}
		r.Stale += n
		if kind == staleSalesReady {
			r.Synced -= n
			continue
		}
		r.Excluded -= n
		if r.ExcludedBy[kind] -= n; r.ExcludedBy[kind] == 0 {
			delete(r.ExcludedBy, kind)
		}
	}
	return rows.Err()
}

// reportDuplicates stores the run's duplicate email groups (R4): the first
// run groups the whole people table (sql/dedupe/duplicate_emails.sql); a later one
// regroups only the keys it touched and copies the last run's other groups
// (sql/dedupe/duplicate_emails_delta.sql), the same list without a GROUP BY over
// every person each night.
func (l *Loader) reportDuplicates(ctx context.Context, tx *dbsql.Tx, run *sqlfiles.Runner) error {
	var last dbsql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT max(run_id) FROM runs WHERE run_id < $1", l.runID).Scan(&last); err != nil {
		return err
	}
	if !last.Valid {
		return run.Exec(ctx, "dedupe/duplicate_emails", l.runID)
	}
	return run.Exec(ctx, "dedupe/duplicate_emails_delta", l.runID, last.Int64)
}

// runner runs the load's statements on tx, timed in report as "load/<name>".
// With ACTSYNC_DUCKDB_PROFILE set to a directory, each statement's DuckDB
// profile is written there as <name>.json.
func (l *Loader) runner(ctx context.Context, tx *dbsql.Tx, report *pipeline.Report) *sqlfiles.Runner {
	r := &sqlfiles.Runner{
		Tx:     tx,
		Stage:  "load",
		Report: report.AddStage,
		After:  func(string) error { return nil },
	}
	if profile := os.Getenv("ACTSYNC_DUCKDB_PROFILE"); profile != "" {
		r.Before = func(name string) error {
			return profileTo(ctx, tx, filepath.Join(profile, name+".json"))
		}
		r.After = func(string) error {
			_, err := tx.ExecContext(ctx, "PRAGMA disable_profiling")
			return err
		}
	}
	return r
}

// peopleArgs are the arguments of the statements of sql/people/, the
// changes of a run after the first.
func (l *Loader) peopleArgs(report *pipeline.Report) map[string][]any {
	return map[string][]any{
		"run_marks":               {l.runID, report.AsOf},
		"insert_stale":            {l.runID},
		"delete_stale_exclusions": {l.runID},
		"incoming_view":           nil,
		"dup_keys":                nil,
		"changes":                 {l.runID, l.full, report.AsOf},
		"update_people":           {l.runID},
		"insert_people":           {l.runID},
		"deactivate_people":       {l.runID},
		"refresh_exit_reasons":    {l.runID},
	}
}

// finishArgs are the arguments of the statements of sql/finish/, which run
// after the steps.
func (l *Loader) finishArgs() map[string][]any {
	return map[string][]any{
		"run_exits":           {l.runID},
		"update_person_exits": nil,
		"mark_changed":        {l.runID},
	}
}

// staleSalesReady is stale_rows.kind of a row that would have been synced.
const staleSalesReady = "sales_ready"

// checkDeactivations is the mass-change breaker (Options.MaxDeactivatePct).
func (l *Loader) checkDeactivations(ctx context.Context, tx *dbsql.Tx, activeBefore int64) error {
	maxPct := l.opts.MaxDeactivatePct
	if maxPct == 0 {
		maxPct = DefaultMaxDeactivatePct
	}
	var n int64
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM changes WHERE run_id = $1 AND op = 'deactivate'", l.runID).Scan(&n); err != nil {
		return err
	}
	if activeBefore == 0 || maxPct >= 100 || float64(n)*100 <= maxPct*float64(activeBefore) {
		return nil
	}
	need := math.Ceil(100 * float64(n) / float64(activeBefore))
	return &MassChangeError{RunID: l.runID, Deactivate: n, Active: activeBefore, MaxPct: maxPct,
		FullExport: l.full, SuggestFlag: fmt.Sprintf("--max-deactivate %g", need)}
}

// rollBackDryRun ends a dry run: it records the first ids of each op in
// the report, rolls the transaction back and removes the staging files.
func (l *Loader) rollBackDryRun(ctx context.Context, tx *dbsql.Tx, report *pipeline.Report) error {
	rows, err := tx.QueryContext(ctx, `SELECT op, marketo_id FROM changes WHERE run_id = $1
		QUALIFY row_number() OVER (PARTITION BY op ORDER BY marketo_id) <= $2 ORDER BY op, marketo_id`,
		l.runID, pipeline.DryRunSample)
	if err != nil {
		return err
	}
	preview := &pipeline.DryRun{FirstIDs: map[string][]int64{}}
	for rows.Next() {
		var op string
		var id int64
		if err := rows.Scan(&op, &id); err != nil {
			rows.Close()
			return err
		}
		preview.FirstIDs[op] = append(preview.FirstIDs[op], id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	report.DryRun = preview
	if err := tx.Rollback(); err != nil {
		return fmt.Errorf("rollback: %w", err)
	}
	l.done = true
	return os.RemoveAll(l.staging)
}

func (l *Loader) snapshotTables() []string {
	tables := append([]string(nil), state.SnapshotTables...)
	for _, s := range l.steps {
		tables = append(tables, s.SnapshotTables()...)
	}
	return tables
}

// stageBatch writes one batch (which it releases) to a staging file and
// returns the file's path.
func (l *Loader) stageBatch(name string, schema *arrow.Schema, b arrow.RecordBatch) (string, error) {
	defer b.Release()
	path := filepath.Join(l.staging, name)
	f, err := state.NewStagingFile(path, schema)
	if err != nil {
		return "", err
	}
	if err := f.Write(b); err != nil {
		f.Close()
		return "", fmt.Errorf("staging %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("staging %s: %w", name, err)
	}
	return path, nil
}

// snapshotSQL is the COPY statement of the snapshot of one table's run
// rows (people, the whole table, is state.CopyTable's). COPY takes no
// bound parameters: the run id is an integer and the path goes through
// QuoteString. The run_id column is left out: the hive partition holds it.
//
// Every snapshot is written in storage order, unsorted: sorting costs more
// than it saves a reader, who filters with row-group statistics anyway
// (the people table at 10M rows; the activities snapshot of a 1M-activity
// run: 4.1 s with ORDER BY ALL against 1.4 s without, and the sort set the
// run's peak RSS, 1,306 MB against 875 MB without). Snappy, DuckDB's
// default, writes about twice as fast as zstd for files about 1.5 times as
// large (docs/performance.md): a nightly job favours the time.
func snapshotSQL(table string, runID int64, path string) string {
	query := fmt.Sprintf("SELECT * EXCLUDE (run_id) FROM %s WHERE run_id = %d", table, runID)
	return sqlfiles.CopyStatement(query, path)
}

// profileTo has DuckDB write the profile of the next statements to path
// (ACTSYNC_DUCKDB_PROFILE=DIR: one JSON file per load step, for reading
// query plans with their row counts and timings; README "Performance").
func profileTo(ctx context.Context, tx *dbsql.Tx, path string) error {
	q := "SET enable_profiling = 'json'; SET profiling_output = " + sqlfiles.QuoteString(path)
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("ACTSYNC_DUCKDB_PROFILE: %w", err)
	}
	return nil
}
