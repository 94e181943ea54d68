package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"runtime"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/pipeline"
	"github.com/actsync/actsync/reconcile/activities"
	"github.com/actsync/actsync/stages/dedupe"
	"github.com/actsync/actsync/stages/extract"
	"github.com/actsync/actsync/stages/filter"
	"github.com/actsync/actsync/stages/load"
	"github.com/actsync/actsync/stages/mapping"
	"github.com/actsync/actsync/state"
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

// runConfig is what `actsync run` was asked to do.
type runConfig struct {
	People     []string
	Activities []string
	// ActivityTypes is the body of GET /rest/v1/activities/types.json.
	ActivityTypes string
	Reconcile     activities.Options
	Salesforce    salesforceConfig
	State         string
	Full          bool
	// KeepSnapshots, when positive, is how many runs' snapshots to keep:
	// older partitions are removed after the run commits.
	KeepSnapshots int
	// AsOf is the time the inputs describe (pipeline.Report.AsOf); zero
	// means the run's start.
	AsOf time.Time
	JSON bool
	// MemoryLimit caps DuckDB's memory (DuckDB's syntax); "" leaves
	// DuckDB's default.
	MemoryLimit string
	// Safety is the mass-change breaker and the dry-run switch.
	Safety load.Options
	// Log receives one line per interrupted run that opening the state
	// completed or discarded; nil discards them.
	Log io.Writer
	// Skipped are the files the input directories held and the run does
	// not read, for the report.
	Skipped []pipeline.SkippedFile
}

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := runConfig{Log: stderr}
	fs := newFlags("run", runSynopsis, stderr)
	fs.Var((*multiFlag)(&cfg.People), "people", "person export `PATH` (file, directory or glob); repeatable")
	fs.StringVar(&cfg.State, "state", "./actsync-data", "state `DIR` holding actions.duckdb, snapshots/ and runs/")
	fs.BoolVar(&cfg.Full, "full", false, "the inputs are a complete export: deactivate active people absent from them")
	fs.BoolVar(&cfg.JSON, "json", false, "print the run report as JSON on stdout instead of the summary")
	fs.Float64Var(&cfg.Safety.MaxDeactivatePct, "max-deactivate", load.DefaultMaxDeactivatePct, "stop before committing a run that would deactivate more than `PCT` percent of the active people (100: no limit)")
	fs.BoolVar(&cfg.Safety.DryRun, "dry-run", false, "run everything, print what would change (counts, first ids per op), then roll back: nothing is written")
	fs.Var((*multiFlag)(&cfg.Activities), "activities", "activity export `PATH` (file, directory or glob): Bulk Activity Extract CSV or REST JSON Lines; repeatable")
	fs.StringVar(&cfg.ActivityTypes, "activity-types", "", "`FILE` holding the body of GET /rest/v1/activities/types.json, to resolve types without a public id (Received Sales Call, Add to / Remove from Sales Campaign)")
	fs.IntVar(&cfg.KeepSnapshots, "keep-snapshots", 0, "after the run, keep only the snapshots of the newest `N` runs under snapshots/ (0: keep all; the tables keep every run)")
	fs.StringVar(&cfg.MemoryLimit, "memory-limit", "", memoryLimitUsage)
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
	case len(cfg.People) == 0 && len(cfg.Activities) == 0 && !cfg.Salesforce.given():
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
	if err := cfg.Salesforce.check(); err != nil {
		return usageErr(err.Error())
	}
	if err := checkMemoryLimit(ctx, cfg.MemoryLimit); err != nil {
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
	if !cfg.JSON && isTerminal(stderr) {
		progress = stderr
	}
	if done, err := mk.before(ctx, &cfg, stdout, stderr); done || err != nil {
		return err
	}
	report, err := syncPeople(ctx, cfg, memory.DefaultAllocator, progress)
	if err != nil {
		return err
	}
	if err := mk.after(cfg.Safety.DryRun); err != nil {
		return err
	}
	if cfg.JSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	report.Summary(stdout)
	return nil
}

// syncPeople runs one people sync against the state in cfg.State.
func syncPeople(ctx context.Context, cfg runConfig, mem memory.Allocator, progress io.Writer) (*pipeline.Report, error) {
	var sources, activitySources []extract.Source
	var skipped []pipeline.SkippedFile
	var err error
	if len(cfg.People) > 0 {
		if sources, skipped, err = extract.DiscoverAll(cfg.People); err != nil {
			return nil, err
		}
		cfg.Skipped = append(cfg.Skipped, skipped...)
	}
	types := activities.BuiltinTypes()
	if len(cfg.Activities) > 0 {
		if activitySources, skipped, err = extract.DiscoverAll(cfg.Activities); err != nil {
			return nil, err
		}
		cfg.Skipped = append(cfg.Skipped, skipped...)
		if cfg.ActivityTypes != "" {
			if _, err := types.LoadTypesFile(cfg.ActivityTypes); err != nil {
				return nil, fmt.Errorf("--activity-types: %w", err)
			}
		}
	}
	fresh := noteState(cfg.State)
	st, err := openState(ctx, cfg.State, cfg.Log, cfg.MemoryLimit)
	if err != nil {
		fresh.discard()
		return nil, err
	}
	report, err := syncIn(ctx, st, cfg, sources, activitySources, types, mem, progress)
	st.Close()
	if err != nil {
		// A failed run changes nothing; on a new state that means no
		// state directory either.
		fresh.discard()
		return nil, err
	}
	return report, nil
}

// syncIn is one run against an open state: backfill holds the state (and
// its writer lock) across its runs.
func syncIn(ctx context.Context, st *state.State, cfg runConfig, sources, activitySources []extract.Source,
	types *activities.Types, mem memory.Allocator, progress io.Writer) (*pipeline.Report, error) {
	runID, err := st.NextRunID(ctx)
	if err != nil {
		return nil, err
	}
	report := &pipeline.Report{RunID: runID, StartedAt: time.Now().UTC(), AsOf: cfg.AsOf.UTC(), Full: cfg.Full, Skipped: cfg.Skipped}
	if cfg.AsOf.IsZero() {
		report.AsOf = report.StartedAt
	}

	ledger := pipeline.NewLedger(mem)
	defer ledger.Close()
	loader, err := load.New(st, ledger, runID, cfg.Full)
	if err != nil {
		return nil, err
	}
	loader.SetOptions(cfg.Safety)
	// Filter spills the run's rows into the staging directory, which goes
	// with the run on commit or abort.
	flt := filter.New(mem, ledger, filter.Options{SpillDir: loader.StagingDir()})
	defer flt.Close()
	if len(activitySources) > 0 {
		// Activities are parsed in full before the people pipeline and its
		// transaction: a broken activity file fails the run early.
		t := time.Now()
		if progress != nil {
			fmt.Fprint(progress, "extract activities\r")
		}
		staged, err := activities.Extract(ctx, activitySources, types, mem, loader.StagingDir(), runtime.GOMAXPROCS(0))
		if err != nil {
			loader.Abort()
			return nil, fmt.Errorf("activities: %w", err)
		}
		report.Stages = append(report.Stages, pipeline.StageTiming{Stage: "activities/extract", Seconds: time.Since(t).Seconds(), RowsOut: staged.Rows})
		loader.AddStep(&activities.Reconcile{Staged: staged, Options: cfg.Reconcile})
	}
	if err := addSalesforceStep(ctx, cfg.Salesforce, loader, mem, report, progress); err != nil {
		loader.Abort()
		return nil, err
	}
	runner := &pipeline.Runner{
		Inputs: len(sources),
		Open: func(ctx context.Context, i int) (pipeline.Source, error) {
			return extract.Open(sources[i], mem, ledger, extract.Options{})
		},
		Filter:   flt,
		Map:      mapping.New(mem, ledger),
		Dedupe:   dedupe.New(mem),
		Load:     loader,
		Ledger:   ledger,
		Parallel: runtime.GOMAXPROCS(0),
		Progress: progress,
	}
	if err := runner.Run(ctx, report); err != nil {
		return nil, err
	}
	if report.DryRun == nil {
		publishRunPage(ctx, st, runID, cfg.Log) // a derived view: a failure warns, the run stands
		pruneSnapshots(st, cfg.KeepSnapshots, cfg.Log)
	}
	if progress != nil {
		fmt.Fprint(progress, "\033[K")
	}
	return report, nil
}

// pruneSnapshots applies --keep-snapshots after a committed run. The run
// stands whatever happens here: a failure is one warning line on log.
func pruneSnapshots(st *state.State, keep int, log io.Writer) {
	if keep <= 0 {
		return
	}
	if err := st.PruneSnapshots(keep); err != nil && log != nil {
		fmt.Fprintf(log, "actsync: warning: the run is committed, but removing snapshots older than the newest %d failed: %s\n", keep, oneLine(err.Error()))
	}
}
