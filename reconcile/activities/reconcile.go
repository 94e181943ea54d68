package activities

import (
	"context"
	dbsql "database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/actsync/actsync/pipeline"
	sqlfiles "github.com/actsync/actsync/sql"
)

// DefaultTaskSubject is the default --task-subject template.
const DefaultTaskSubject = "{{activity_type}}: {{activity_subject}}"

// Placeholders of a task subject template.
var placeholders = []string{"{{activity_type}}", "{{activity_subject}}", "{{sent_by}}", "{{sales_campaign}}"}

var placeholderRE = regexp.MustCompile(`\{\{[^{}]*\}\}`)

// Options are the admin's choices for Salesforce logging (R7).
type Options struct {
	LogEmails   bool   // Tasks for sent sales emails and replies
	LogCalls    bool   // Tasks for sales calls
	TaskSubject string // template; DefaultTaskSubject when empty
}

// ParseSalesforceLog reads a --salesforce-log value: a comma-separated list
// of emails and calls, or none. Reminder tasks are not Marketo activities,
// so an activity export cannot carry them; asking for them is an error
// rather than a silent nothing.
func ParseSalesforceLog(s string, o *Options) error {
	o.LogEmails, o.LogCalls = false, false
	for _, k := range strings.Split(s, ",") {
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "emails", "email":
			o.LogEmails = true
		case "calls", "call":
			o.LogCalls = true
		case "none", "":
		case "tasks", "reminders", "reminder_tasks":
			return fmt.Errorf("--salesforce-log %q: reminder tasks are SIA records, not Marketo activities; an activity export has none to log (kinds: emails, calls, none)", k)
		default:
			return fmt.Errorf("--salesforce-log: unknown kind %q (kinds: emails, calls, none)", k)
		}
	}
	return nil
}

// CheckTaskSubject validates a --task-subject template: every {{…}} must be
// a known placeholder.
func CheckTaskSubject(t string) error {
	if strings.TrimSpace(t) == "" {
		return errors.New("--task-subject is empty")
	}
	for _, m := range placeholderRE.FindAllString(t, -1) {
		ok := false
		for _, p := range placeholders {
			ok = ok || m == p
		}
		if !ok {
			return fmt.Errorf("--task-subject: unknown placeholder %s (known: %s)", m, strings.Join(placeholders, ", "))
		}
	}
	return nil
}

// Reconcile is the reconcile step (a load.Step): inside the run's
// transaction, after the people changes, it loads the staged activities
// and derives the reconciliation tables, applies lifecycle deactivations,
// and fills report.Activities. Every statement is a file of sql/.
type Reconcile struct {
	Staged  *Staged
	Options Options
	// Snapshot is the file the run's activities snapshot is written to, by
	// sql/activities/020_activity_match.sql (the loader's
	// SnapshotPath("activities"), which then does not copy the table).
	// Empty: a file beside the staged activities.
	Snapshot string

	// afterStatement, when set, is called inside Apply after each
	// statement has run, with Apply's transaction and the statement's name
	// (the sql/ file), so that a test can look at what the real sequence
	// wrote so far, temporary tables included. Production leaves it nil.
	afterStatement func(tx *dbsql.Tx, name string)
}

// Name is the step's name in the run report's timings.
func (r *Reconcile) Name() string { return "reconcile" }

// SnapshotTables are the tables that get a per-run Parquet snapshot.
// person_activity_summary's snapshot holds the people recomputed by the run.
func (r *Reconcile) SnapshotTables() []string {
	return []string{"activities", "sales_activity_log", "salesforce_tasks",
		"unsubscribe_violations", "person_activity_summary", "lifecycle_events"}
}

// Apply runs the reconciliation statements in order on tx.
func (r *Reconcile) Apply(ctx context.Context, tx *dbsql.Tx, runID int64, report *pipeline.Report) error {
	subject := r.Options.TaskSubject
	if subject == "" {
		subject = DefaultTaskSubject
	}
	snapshot := r.Snapshot
	if snapshot == "" {
		snapshot = filepath.Join(filepath.Dir(filepath.Dir(r.Staged.Glob)), "activities-snapshot.parquet")
	}
	if err := os.MkdirAll(filepath.Dir(snapshot), 0o700); err != nil {
		return err
	}
	run := &sqlfiles.Runner{Tx: tx, Stage: "reconcile", Report: report.AddStage,
		CopyTo: map[string]string{"activity_match": snapshot}}
	if r.afterStatement != nil {
		run.After = func(name string) error {
			r.afterStatement(tx, name)
			return nil
		}
	}
	if err := run.Exec(ctx, "schema/activity_schema"); err != nil {
		return err
	}
	offset := len(report.Inputs)
	for i, in := range r.Staged.Inputs {
		if err := run.Exec(ctx, "run/insert_input", runID, offset+i, in.Path, in.Format, in.SHA256, in.Bytes, in.Rows); err != nil {
			return err
		}
	}
	if err := run.Exec(ctx, "activities/activity_insert_rejects", runID, r.Staged.RejectsPath); err != nil {
		return err
	}
	if err := run.Run(ctx, "activities", r.args(runID, offset, subject)); err != nil {
		return err
	}
	c, err := r.counts(ctx, tx, runID)
	if err != nil {
		return err
	}
	// The run's temporary tables and macro (activities/010_activity_stage.sql,
	// 015_activity_fresh.sql, 060_activity_summary_delta.sql) go before the
	// snapshots and the commit.
	if _, err := tx.ExecContext(ctx, "DROP TABLE activity_repeats; DROP MACRO TABLE activity_fresh; DROP TABLE activity_summary_delta"); err != nil {
		return err
	}
	if !c.Balanced() {
		return fmt.Errorf("activity accounting does not close: read %d != rejected %d + repeated %d + already loaded %d + loaded %d",
			c.Read, c.Rejected, c.Repeated, c.AlreadyLoaded, c.Loaded)
	}
	report.Activities = c
	return nil
}

// args are the arguments of the statements of sql/activities/, which run
// in the order of their numbered files after the rejects.
// offset is the inputs.file_index of the run's first activity input.
func (r *Reconcile) args(runID int64, offset int, subject string) map[string][]any {
	return map[string][]any{
		"activity_stage":                    {r.Staged.Glob},
		"activity_fresh":                    nil,
		"activity_match":                    {runID, offset, r.Staged.Glob},
		"activity_insert":                   {runID, offset, r.Staged.Glob},
		"activity_sales_log":                {runID},
		"activity_salesforce_tasks":         {runID, r.Options.LogEmails, r.Options.LogCalls, subject},
		"activity_unsubscribe_violations":   {runID},
		"activity_summary_delta":            {runID},
		"activity_summary_delete":           nil,
		"activity_summary_insert":           {runID},
		"activity_lifecycle_events":         {runID, r.Staged.Glob},
		"activity_lifecycle_update_changes": {runID},
		"activity_lifecycle_insert_changes": {runID},
		"activity_lifecycle_people":         {runID},
	}
}

func (r *Reconcile) counts(ctx context.Context, tx *dbsql.Tx, runID int64) (*pipeline.ActivityCounts, error) {
	c := &pipeline.ActivityCounts{
		Inputs:      r.Staged.Inputs,
		RejectedBy:  map[string]int64{},
		ByCategory:  map[string]int64{},
		BySalesKind: map[string]int64{},
	}
	for _, in := range r.Staged.Inputs {
		c.Read += in.Rows
	}
	for _, rj := range r.Staged.Rejects {
		c.Rejected++
		c.RejectedBy[rj.Reason]++
	}
	err := tx.QueryRowContext(ctx, sqlfiles.Text("activities/activity_counts"), runID, r.Options.LogEmails, r.Options.LogCalls).Scan(
		&c.Repeated, &c.Loaded, &c.Matched, &c.PersonInactive, &c.PersonUnknown, &c.AmbiguousEmail,
		&c.UnknownTypes, &c.SalesLog, &c.Tasks, &c.TasksNoSalesforceID, &c.PeopleNoSalesforceID,
		&c.UnsubscribeViolations, &c.UnsubscribeUnknown, &c.Merged, &c.Deleted, &c.LifecycleNotApplied,
		&c.SummaryPeople)
	if err != nil {
		return nil, fmt.Errorf("activities/activity_counts.sql: %w", err)
	}
	c.AlreadyLoaded = r.Staged.Rows - c.Repeated - c.Loaded
	rows, err := tx.QueryContext(ctx, sqlfiles.Text("activities/activity_breakdown"), runID)
	if err != nil {
		return nil, fmt.Errorf("activities/activity_breakdown.sql: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var dim, key string
		var n int64
		if err := rows.Scan(&dim, &key, &n); err != nil {
			return nil, err
		}
		if dim == "category" {
			c.ByCategory[key] = n
		} else {
			c.BySalesKind[key] = n
		}
	}
	return c, rows.Err()
}
