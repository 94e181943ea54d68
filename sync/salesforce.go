package sync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/pipeline"
	"github.com/actsync/actsync/reconcile/salesforce"
	"github.com/actsync/actsync/stages/extract"
	"github.com/actsync/actsync/stages/load"
)

// SalesforceConfig is the two-way part of a run's configuration: the paths
// of each input, and the time reminder task sync was enabled.
type SalesforceConfig struct {
	ActionsTasks        []string
	SalesforceTasks     []string
	ActionsUnsubscribes []string
	SalesforceOptouts   []string
	TaskSyncSince       string
}

// Given reports whether any two-way input was given.
func (c *SalesforceConfig) Given() bool {
	return len(c.ActionsTasks)+len(c.SalesforceTasks)+len(c.ActionsUnsubscribes)+len(c.SalesforceOptouts) > 0
}

// Check validates the two-way inputs; its error names the flags and is a
// usage error.
func (c *SalesforceConfig) Check() error {
	tasks := len(c.ActionsTasks) > 0 || len(c.SalesforceTasks) > 0
	switch {
	case tasks && (len(c.ActionsTasks) == 0 || len(c.SalesforceTasks) == 0):
		return errors.New("--actions-tasks and --salesforce-tasks go together: a task missing from one side is not a deletion")
	case tasks && c.TaskSyncSince == "":
		return errors.New("--task-sync-since is required with task inputs: it decides which SIA tasks are created in Salesforce")
	case !tasks && c.TaskSyncSince != "":
		return errors.New("--task-sync-since needs --actions-tasks and --salesforce-tasks")
	}
	if _, ok := pipeline.ParseTimestamp(c.TaskSyncSince); c.TaskSyncSince != "" && !ok {
		return fmt.Errorf("--task-sync-since: %q is not a time (2026-11-01 or 2026-11-01T00:00:00Z)", c.TaskSyncSince)
	}
	return nil
}

// addSalesforceStep parses and stages the two-way inputs before the run's
// transaction (a broken file fails the run early, nothing written) and adds
// the reconcile step to loader. It does nothing without two-way inputs.
func addSalesforceStep(ctx context.Context, c SalesforceConfig, loader *load.Loader, mem memory.Allocator, report *pipeline.Report, progress io.Writer) error {
	if !c.Given() {
		return nil
	}
	t := time.Now()
	if progress != nil {
		fmt.Fprint(progress, "extract salesforce two-way inputs\r")
	}
	sources := salesforce.Sources{}
	for _, in := range []struct {
		name  string
		paths []string
	}{ // in flag order, so that a bad path is reported the same way every time
		{salesforce.ActionsTasks.Name, c.ActionsTasks},
		{salesforce.SalesforceTasks.Name, c.SalesforceTasks},
		{salesforce.ActionsUnsubscribes.Name, c.ActionsUnsubscribes},
		{salesforce.SalesforceOptouts.Name, c.SalesforceOptouts},
	} {
		name, paths := in.name, in.paths
		if len(paths) == 0 {
			continue
		}
		src, err := extract.Discover(paths)
		if err != nil {
			return err
		}
		sources[name] = src
	}
	staged, err := salesforce.Extract(ctx, sources, mem, loader.StagingDir())
	if err != nil {
		return fmt.Errorf("salesforce: %w", err)
	}
	// The run's --as-of (report.AsOf, the run's start by default) ends the
	// 24-hour and 15-day windows.
	opts := salesforce.Options{AsOf: report.AsOf}
	if c.TaskSyncSince != "" {
		opts.TaskSyncSince, _ = pipeline.ParseTimestamp(c.TaskSyncSince)
	}
	var rows int64
	for _, in := range staged.Inputs {
		rows += in.Rows
	}
	report.Stages = append(report.Stages, pipeline.StageTiming{Stage: "salesforce/extract", Seconds: time.Since(t).Seconds(), RowsOut: rows - int64(len(staged.Rejects))})
	loader.AddStep(&salesforce.Reconcile{Staged: staged, Options: opts})
	return nil
}
