package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/pipeline"
	"github.com/actsync/actsync/stages/dedupe"
	"github.com/actsync/actsync/stages/extract"
	"github.com/actsync/actsync/stages/filter"
	"github.com/actsync/actsync/stages/load"
	"github.com/actsync/actsync/stages/mapping"
)

const runSynopsis = `Usage: actsync run --people PATH [--people PATH ...] [--state DIR] [--full] [--json]

Reads Marketo person exports, keeps each person's newest row, syncs the
sales-ready ones (a Salesforce user as lead or contact owner) into the state's
people table, and records every other row as excluded, rejected or superseded.
One run is one atomic commit: on failure nothing changes.

PATH is a file, a directory (every .csv, .tsv, .jsonl, .parquet, optionally
.gz, under it, in name order) or a glob. Exit status: 0 on success (rejected
rows are not a failure), 1 with a one-line cause on failure, 2 on bad usage.`

// runConfig is what `actsync run` was asked to do.
type runConfig struct {
	People []string
	State  string
	Full   bool
	JSON   bool
}

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg runConfig
	fs := newFlags("run", runSynopsis, stderr)
	fs.Var((*multiFlag)(&cfg.People), "people", "person export `PATH` (file, directory or glob); repeatable")
	fs.StringVar(&cfg.State, "state", "./actsync-data", "state `DIR` holding actions.duckdb, snapshots/ and runs/")
	fs.BoolVar(&cfg.Full, "full", false, "the inputs are a complete export: deactivate active people absent from them")
	fs.BoolVar(&cfg.JSON, "json", false, "print the run report as JSON on stdout instead of the summary")
	if err := parse(fs, args); err != nil {
		return err
	}
	if len(cfg.People) == 0 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "actsync run: --people is required and takes no positional arguments")
		fs.Usage()
		return errUsage
	}
	var progress io.Writer
	if !cfg.JSON && isTerminal(stderr) {
		progress = stderr
	}
	report, err := syncPeople(ctx, cfg, memory.DefaultAllocator, progress)
	if err != nil {
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
	sources, err := extract.Discover(cfg.People)
	if err != nil {
		return nil, err
	}
	st, err := load.Open(ctx, cfg.State)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	runID, err := st.NextRunID(ctx)
	if err != nil {
		return nil, err
	}
	report := &pipeline.Report{RunID: runID, StartedAt: time.Now().UTC(), Full: cfg.Full}

	ledger := pipeline.NewLedger(mem)
	defer ledger.Close()
	flt := filter.New(mem, ledger)
	defer flt.Close()
	loader, err := load.New(st, ledger, runID, cfg.Full)
	if err != nil {
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
	if progress != nil {
		fmt.Fprint(progress, "\033[K")
	}
	return report, nil
}
