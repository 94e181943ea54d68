package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"

	"github.com/actsync/actsync/pipeline"
	"github.com/actsync/actsync/reconcile/activities"
	"github.com/actsync/actsync/stages/load"
	"github.com/actsync/actsync/sync"
)

const runSynopsis = `Usage: actsync run [--people PATH ...] [--activities PATH ...] [--activity-types FILE]
                  [--salesforce-log KINDS] [--task-subject TEMPLATE] [--state DIR] [--full] [--json]
                  [--max-deactivate PCT] [--dry-run] [--as-of TIME] [--keep-snapshots N] [--memory-limit SIZE]
                  [--actions-tasks PATH --salesforce-tasks PATH --task-sync-since TIME]
                  [--actions-unsubscribes PATH] [--salesforce-optouts PATH]

Reads Marketo person exports, keeps each person's newest row, syncs the
sales-ready ones (a Salesforce user as lead or contact owner) into the state's
people table, and records every other row as excluded, rejected or superseded.
With --activities it also reconciles Marketo activity exports (Bulk Activity
Extract CSV or REST JSON Lines) against the people: activities, the sales
activity log, Salesforce Tasks, unsubscribe violations, the per-person
activity summary, and Merge Leads / Delete Lead deactivations. --activities
alone reconciles against the people already in the state. One run is one
atomic commit: on failure nothing changes. A run that would deactivate more
than 10% of the active people (a truncated --full export) stops before its
commit unless --max-deactivate allows it; --dry-run shows what a run would
change and commits nothing.` + salesforceSynopsis + `

PATH is a file, a directory or a glob. A directory contributes the files under
it, in name order, named .csv, .tsv, .tab, .jsonl, .ndjson, .json (each
optionally .gz), .parquet or .pq, and .txt (optionally .gz) when its first
line is a header actsync knows; hidden names are skipped, other files are
skipped and listed in the run report. Activities are CSV, TSV or JSON. JSON
is JSON Lines, a JSON array of objects or a Marketo REST response
({"result": [...]}). PATH may also be marketo:, which extracts from the
Marketo Bulk API instead (see actsync extract --help).
At least one of --people, --activities or a two-way input is required; --full
needs --people.
Exit status: 0 on success (rejected rows are not a failure), 1 with a one-line
cause on failure, 2 on bad usage, 3 when the Marketo export quota stopped it.`

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := sync.Config{Log: stderr}
	var asJSON bool
	fs := newFlags("run", runSynopsis, stderr)
	fs.Var((*multiFlag)(&cfg.People), "people", "person export `PATH` (file, directory or glob); repeatable")
	fs.StringVar(&cfg.State, "state", "./actsync-data", "state `DIR` holding actions.duckdb, snapshots/ and runs/")
	fs.BoolVar(&cfg.Full, "full", false, "the inputs are a complete export: deactivate active people absent from them")
	fs.BoolVar(&asJSON, "json", false, "print the run report as JSON on stdout instead of the summary")
	fs.Float64Var(&cfg.Safety.MaxDeactivatePct, "max-deactivate", load.DefaultMaxDeactivatePct, "stop before committing a run that would deactivate more than `PCT` percent of the active people (100: no limit)")
	fs.BoolVar(&cfg.Safety.DryRun, "dry-run", false, "run everything, print what would change (counts, first ids per op), then roll back: nothing is written")
	fs.Var((*multiFlag)(&cfg.Activities), "activities", "activity export `PATH` (file, directory or glob): Bulk Activity Extract CSV or REST JSON Lines; repeatable")
	fs.StringVar(&cfg.ActivityTypes, "activity-types", "", "`FILE` holding the body of GET /rest/v1/activities/types.json, to resolve types without a public id (Received Sales Call, Add to / Remove from Sales Campaign)")
	fs.IntVar(&cfg.KeepSnapshots, "keep-snapshots", 0, "after the run, keep only the snapshots of the newest `N` runs under snapshots/ (0: keep all; the tables keep every run)")
	fs.StringVar(&cfg.MemoryLimit, "memory-limit", defaultMemoryLimit, memoryLimitUsage)
	asOf := fs.String("as-of", "", "the `TIME` the inputs describe (an old export's date, e.g. 2026-11-02): a --full run deactivates only people last updated at or before it; default: now")
	mk := addMarketoFlags(fs)
	sfLog := fs.String("salesforce-log", "emails,calls", "activity `KINDS` logged as Salesforce Tasks: emails (sent and replies), calls, or none")
	fs.StringVar(&cfg.Reconcile.TaskSubject, "task-subject", activities.DefaultTaskSubject, "Salesforce Task Subject `TEMPLATE`; placeholders {{activity_type}}, {{activity_subject}}, {{sent_by}}, {{sales_campaign}}")
	registerSalesforceFlags(fs, &cfg.Salesforce)
	if err := parse(fs, args); err != nil {
		return err
	}
	if cfg.Safety.MaxDeactivatePct == 0 {
		cfg.Safety.MaxDeactivatePct = math.SmallestNonzeroFloat64 // 0 allows none; load's zero value means the default
	}
	usageErr := func(msg string) error {
		fmt.Fprintf(stderr, "actsync run: %s\n", msg)
		fs.Usage()
		return errUsage
	}
	switch {
	case fs.NArg() > 0:
		return usageErr("takes no positional arguments")
	case len(cfg.People) == 0 && len(cfg.Activities) == 0 && !cfg.Salesforce.Given():
		return usageErr("--people or --activities is required (or a two-way input)")
	case cfg.Safety.MaxDeactivatePct < 0 || cfg.Safety.MaxDeactivatePct > 100:
		return usageErr("--max-deactivate is a percentage from 0 to 100")
	case cfg.KeepSnapshots < 0:
		return usageErr("--keep-snapshots is a number of runs, 0 for all")
	case cfg.Full && len(cfg.People) == 0:
		return usageErr("--full needs --people: a full run without a people export would deactivate everyone")
	case len(cfg.Activities) == 0 && cfg.ActivityTypes != "":
		return usageErr("--activity-types needs --activities")
	}
	if err := cfg.Salesforce.Check(); err != nil {
		return usageErr(err.Error())
	}
	if err := sync.CheckMemoryLimit(ctx, cfg.MemoryLimit); err != nil {
		return usageErr(err.Error())
	}
	if *asOf != "" {
		t, ok := pipeline.ParseTimestamp(*asOf)
		if !ok {
			return usageErr(fmt.Sprintf("--as-of %q is not a time (2026-11-02 or 2026-11-02T04:00:00Z)", *asOf))
		}
		cfg.AsOf = t
	}
	if err := mk.check(&cfg); err != nil {
		return usageErr(err.Error())
	}
	if err := activities.ParseSalesforceLog(*sfLog, &cfg.Reconcile); err != nil {
		return usageErr(err.Error())
	}
	if err := activities.CheckTaskSubject(cfg.Reconcile.TaskSubject); err != nil {
		return usageErr(err.Error())
	}
	var progress io.Writer
	if !asJSON && isTerminal(stderr) {
		progress = stderr
	}
	if mk.plan {
		return mk.printPlan(ctx, filepath.Join(cfg.State, sync.MarketoLandingDir), stdout)
	}
	cfg.Progress = progress
	report, err := sync.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	report.Summary(stdout)
	return nil
}
