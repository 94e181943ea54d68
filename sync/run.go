// Package sync is one actsync run, from its configuration to its commit:
// it lands Marketo Bulk API exports when asked (and marks their range
// loaded once the run commits), discovers the inputs, opens the state
// (completing or discarding what a killed run left), extracts activities
// and the two-way Salesforce inputs before the transaction, wires extract,
// filter, mapping, dedupe and load with the reconcile steps into a
// pipeline.Runner, and after the commit publishes the run's page and
// prunes old snapshots. A failed run changes nothing, and a new state
// directory it created goes with it.
//
// Run is one run on its own; Backfill applies a directory of exports, one
// run each, holding the state across its runs (OpenState and RunIn). The
// command line (flags, printing, exit codes) is cmd/actsync's.
package sync

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/pipeline"
	"github.com/actsync/actsync/reconcile/activities"
	"github.com/actsync/actsync/source/marketo"
	"github.com/actsync/actsync/stages/dedupe"
	"github.com/actsync/actsync/stages/extract"
	"github.com/actsync/actsync/stages/filter"
	"github.com/actsync/actsync/stages/load"
	"github.com/actsync/actsync/stages/mapping"
	"github.com/actsync/actsync/state"
)

// Config is what one run is asked to do.
type Config struct {
	People     []string
	Activities []string
	// Marketo, when not nil, lands exports from the Marketo Bulk API into
	// the state's landing directory before the run and adds them to People
	// and Activities; once the run commits, the range counts as loaded.
	Marketo *Marketo
	// ActivityTypes is the body of GET /rest/v1/activities/types.json.
	ActivityTypes string
	Reconcile     activities.Options
	Salesforce    SalesforceConfig
	State         string
	Full          bool
	// KeepSnapshots, when positive, is how many runs' snapshots to keep:
	// older partitions are removed after the run commits.
	KeepSnapshots int
	// AsOf is the time the inputs describe (pipeline.Report.AsOf); zero
	// means the run's start.
	AsOf time.Time
	// MemoryLimit caps DuckDB's memory (DuckDB's syntax); "" leaves
	// DuckDB's default.
	MemoryLimit string
	// Safety is the mass-change breaker and the dry-run switch.
	Safety load.Options
	// Log receives one line per interrupted run that opening the state
	// completed or discarded, and the warnings of a committed run; nil
	// discards them.
	Log io.Writer
	// Skipped are the files the input directories held and the run does
	// not read, for the report.
	Skipped []pipeline.SkippedFile
	// Mem allocates the run's Arrow memory; nil means
	// memory.DefaultAllocator.
	Mem memory.Allocator
	// Progress receives a status line while the run goes (a terminal);
	// nil shows none.
	Progress io.Writer
}

// Inputs are a run's discovered input files and the activity types to
// read its activities with.
type Inputs struct {
	People     []extract.Source
	Activities []extract.Source
	Types      *activities.Types
}

// Run runs one sync against the state in cfg.State and returns its report.
func Run(ctx context.Context, cfg Config) (*pipeline.Report, error) {
	var landed *marketo.Landed
	var err error
	if cfg.Marketo != nil {
		if landed, err = landMarketo(ctx, &cfg); err != nil {
			return nil, err
		}
	}
	in := Inputs{Types: activities.BuiltinTypes()}
	var skipped []pipeline.SkippedFile
	if len(cfg.People) > 0 {
		if in.People, skipped, err = extract.DiscoverAll(cfg.People); err != nil {
			return nil, err
		}
		cfg.Skipped = append(cfg.Skipped, skipped...)
	}
	if len(cfg.Activities) > 0 {
		if in.Activities, skipped, err = extract.DiscoverAll(cfg.Activities); err != nil {
			return nil, err
		}
		cfg.Skipped = append(cfg.Skipped, skipped...)
		if cfg.ActivityTypes != "" {
			if _, err := in.Types.LoadTypesFile(cfg.ActivityTypes); err != nil {
				return nil, fmt.Errorf("--activity-types: %w", err)
			}
		}
	}
	fresh := noteState(cfg.State)
	st, err := OpenState(ctx, cfg.State, cfg.Log, cfg.MemoryLimit)
	if err != nil {
		fresh.discard()
		return nil, err
	}
	report, err := RunIn(ctx, st, cfg, in)
	st.Close()
	if err != nil {
		// A failed run changes nothing; on a new state that means no
		// state directory either.
		fresh.discard()
		return nil, err
	}
	// The landed range is loaded: the next run starts where it ended, and
	// the files go (they are in the state now). A dry run keeps them for
	// the real one.
	if landed != nil && !cfg.Safety.DryRun {
		if err := marketo.Commit(landed, true); err != nil {
			return nil, err
		}
	}
	return report, nil
}

// RunIn is one run against an open state, reading in (cfg's paths are not
// read): a backfill holds the state (and its writer lock) across its runs.
func RunIn(ctx context.Context, st *state.State, cfg Config, in Inputs) (*pipeline.Report, error) {
	mem, progress := cfg.Mem, cfg.Progress
	if mem == nil {
		mem = memory.DefaultAllocator
	}
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
	if len(in.Activities) > 0 {
		// Activities are parsed in full before the people pipeline and its
		// transaction: a broken activity file fails the run early.
		t := time.Now()
		if progress != nil {
			fmt.Fprint(progress, "extract activities\r")
		}
		staged, err := activities.Extract(ctx, in.Activities, in.Types, mem, loader.StagingDir(), runtime.GOMAXPROCS(0))
		if err != nil {
			loader.Abort()
			return nil, fmt.Errorf("activities: %w", err)
		}
		report.Stages = append(report.Stages, pipeline.StageTiming{Stage: "activities/extract", Seconds: time.Since(t).Seconds(), RowsOut: staged.Rows})
		loader.AddStep(&activities.Reconcile{Staged: staged, Options: cfg.Reconcile, Snapshot: loader.SnapshotPath("activities")})
	}
	if err := addSalesforceStep(ctx, cfg.Salesforce, loader, mem, report, progress); err != nil {
		loader.Abort()
		return nil, err
	}
	sources := in.People
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

// oneLine keeps an error message on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
