package salesforce

import (
	"context"
	dbsql "database/sql"
	"fmt"
	"time"

	"github.com/actsync/actsync/pipeline"
	sqlfiles "github.com/actsync/actsync/sql"
)

// Options are a run's two-way settings.
type Options struct {
	// AsOf ends the 24-hour window of Salesforce reminder tasks to pull and
	// the 15-day window of Salesforce deletions to apply: the run's start
	// by default, a fixed time for a backfill or a test.
	AsOf time.Time
	// TaskSyncSince is when reminder task sync was enabled: an unpaired SIA
	// task created before it is not created in Salesforce. Required when
	// tasks are reconciled.
	TaskSyncSince time.Time
}

// Reconcile is the two-way step (a load.Step): inside the run's
// transaction, after the people changes (so that a person synced by the
// same run is known), it loads the staged inputs into temporary tables,
// pairs and compares the tasks, collects the opt-outs, writes the five
// output tables and the state (task_links, optout_state) and fills
// report.Salesforce. Every statement is a file of sql/.
type Reconcile struct {
	Staged  *Staged
	Options Options

	// afterStatement, when set, is called inside Apply after each
	// statement has run, with Apply's transaction and the statement's name
	// (the sql/ file), so that a test can look at what the real sequence
	// wrote so far, temporary tables included. Production leaves it nil.
	afterStatement func(tx *dbsql.Tx, name string)
}

// Name is the step's name in the run report's timings.
func (r *Reconcile) Name() string { return "salesforce" }

// SnapshotTables are the per-run output tables.
func (r *Reconcile) SnapshotTables() []string {
	return []string{"task_changes_to_salesforce", "task_changes_to_actions", "task_conflicts",
		"optout_changes_to_salesforce", "optout_changes_to_actions"}
}

// tempTables are the connection-local tables the statements create; Apply
// drops them before it returns.
var tempTables = []string{"sf_sia", "sf_sf", "sf_sia_unsub", "sf_sf_optout", "sf_pairs", "sf_fields", "sf_optouts"}

// args are the arguments of the statements of sql/salesforce/, which run
// in the order of their numbered files after the schema, the inputs and
// the rejects.
func (r *Reconcile) args(runID int64) map[string][]any {
	f := r.Staged.Files
	return map[string][]any{
		"sf_stage_actions_tasks":        {f[ActionsTasks.Name]},
		"sf_stage_salesforce_tasks":     {f[SalesforceTasks.Name]},
		"sf_stage_actions_unsubscribes": {f[ActionsUnsubscribes.Name]},
		"sf_stage_salesforce_optouts":   {f[SalesforceOptouts.Name]},
		"sf_task_pairs":                 {utc(r.Options.AsOf), utc(r.Options.TaskSyncSince)},
		"sf_task_fields":                nil,
		"sf_task_conflicts":             {runID},
		"sf_task_to_salesforce":         {runID},
		"sf_task_to_actions":            {runID},
		"sf_task_links_delete":          nil,
		"sf_task_links_insert":          {runID},
		"sf_optout_people":              nil,
		"sf_optout_to_salesforce":       {runID},
		"sf_optout_to_actions":          {runID},
		"sf_optout_state":               {runID},
	}
}

// utc renders t as a UTC TIMESTAMP literal for a bound parameter. A bound
// time.Time reaches DuckDB as a TIMESTAMPTZ, and its cast to TIMESTAMP is
// in the session's time zone (TZ=Asia/Tokyo moved the 24-hour window by 9
// hours); text is cast as written.
func utc(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.999999") }

// Apply runs the statements in order on tx.
func (r *Reconcile) Apply(ctx context.Context, tx *dbsql.Tx, runID int64, report *pipeline.Report) error {
	run := &sqlfiles.Runner{Tx: tx, Stage: "salesforce", Report: report.AddStage}
	if r.afterStatement != nil {
		run.After = func(name string) error {
			r.afterStatement(tx, name)
			return nil
		}
	}
	if err := run.Exec(ctx, "schema/sf_schema"); err != nil {
		return err
	}
	for _, in := range r.Staged.Inputs {
		if err := run.Exec(ctx, "salesforce/sf_insert_input", runID, in.Path, in.Format, in.SHA256, in.Bytes, in.Rows); err != nil {
			return err
		}
	}
	if err := run.Exec(ctx, "activities/activity_insert_rejects", runID, r.Staged.RejectsPath); err != nil {
		return err
	}
	if err := run.Run(ctx, "salesforce", r.args(runID)); err != nil {
		return err
	}
	c, err := r.counts(ctx, tx, runID)
	if err != nil {
		return err
	}
	for _, t := range tempTables {
		if _, err := tx.ExecContext(ctx, "DROP TABLE "+t); err != nil {
			return err
		}
	}
	report.Salesforce = c
	return nil
}

func (r *Reconcile) counts(ctx context.Context, tx *dbsql.Tx, runID int64) (*pipeline.SalesforceCounts, error) {
	c := &pipeline.SalesforceCounts{
		Inputs:      r.Staged.Inputs,
		RejectedBy:  map[string]int64{},
		TaskActions: map[string]int64{},
		AsOf:        r.Options.AsOf.UTC().Format(time.RFC3339),
	}
	if !r.Options.TaskSyncSince.IsZero() {
		c.TaskSyncSince = r.Options.TaskSyncSince.UTC().Format(time.RFC3339)
	}
	for _, in := range r.Staged.Inputs {
		c.Read += in.Rows
	}
	for _, rj := range r.Staged.Rejects {
		c.Rejected++
		c.RejectedBy[rj.Reason]++
	}
	err := tx.QueryRowContext(ctx, sqlfiles.Text("salesforce/sf_counts"), runID).Scan(
		&c.ActionsTasks, &c.SalesforceTasks, &c.NotReminderTasks, &c.PairedByLink, &c.PairedByKey,
		&c.TasksCreateSF, &c.TasksUpdateSF, &c.TasksCreateActions, &c.TasksUpdateActions, &c.TasksDeleteActions,
		&c.TaskConflicts, &c.ActionsUnsubscribes, &c.SalesforceOptedOut, &c.OptoutsToSF, &c.OptoutsToActions,
		&c.OptoutsNoSFID, &c.UnsubUnknownPerson, &c.OptoutUnknownRecord, &c.MarketoNotInSF)
	if err != nil {
		return nil, fmt.Errorf("salesforce/sf_counts.sql: %w", err)
	}
	rows, err := tx.QueryContext(ctx, sqlfiles.Text("salesforce/sf_task_actions"))
	if err != nil {
		return nil, fmt.Errorf("salesforce/sf_task_actions.sql: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var action string
		var n int64
		if err := rows.Scan(&action, &n); err != nil {
			return nil, err
		}
		c.TaskActions[action] = n
	}
	return c, rows.Err()
}
