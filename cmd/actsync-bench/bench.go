package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
)

const synopsis = `Usage: actsync-bench [--people N] [--seed S] [--rounds R] [--work DIR]
                     [--delta] [--actsync BIN] [--keep] [--json]
       actsync-bench --activities N [--people N] [--seed S] [--rounds R] ...

Times an initial people sync of a synthetic export, side by side:
  (a) actsync run --people FILE --state DIR --json, the binary built from the
      module containing the working directory (or --actsync BIN), and
  (b) the plain-DuckDB-SQL baseline embedded in this command (baseline.sql),
each as a child process (peak RSS: the child's VmHWM, polled every 20 ms),
alternating a, b, a, b for R rounds, each in a fresh state directory. An
untimed verification round comes first and checks that both sides sync the
same people.

The export (synth, seed S, REST header spelling) is generated into DIR, or
reused when DIR's manifest.json records the same N and seed and the file is
intact. --delta also generates synth's Day 1 delta (about N/100 changed people
plus N/2000 new ones: 105,000 rows at N=10,000,000) and times actsync on it
against a copy of each round's initial state.

--activities N times instead an activities-only actsync run --activities of N
synthetic activities against a state holding --people people (default
100,000 in this mode), side by side with activities_baseline.sql; see
activities.go.

Exit status: 0 when the sides agree, 1 on failure or disagreement, 2 on bad
usage.`

// config is what a bench run was asked to do.
type config struct {
	People  int
	Seed    int64
	Rounds  int
	Work    string
	Delta   bool
	Actsync string
	Keep    bool
	JSON    bool
}

// run is the whole program: it parses args, runs the bench (or the hidden
// baseline child) and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "baseline" {
		if err := baselineCmd(ctx, args[1:], stderr); err != nil {
			fmt.Fprintf(stderr, "actsync-bench baseline: %v\n", err)
			return 1
		}
		return 0
	}
	if len(args) > 0 && args[0] == "baseline-activities" {
		if err := baselineActivitiesCmd(ctx, args[1:], stderr); err != nil {
			fmt.Fprintf(stderr, "actsync-bench baseline-activities: %v\n", err)
			return 1
		}
		return 0
	}
	cfg := config{}
	fs := flag.NewFlagSet("actsync-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	fs.IntVar(&cfg.People, "people", 1_000_000, "people `N` in the initial export")
	fs.Int64Var(&cfg.Seed, "seed", 1, "synth `SEED`")
	fs.IntVar(&cfg.Rounds, "rounds", 3, "timed rounds `R` (each runs both sides)")
	fs.StringVar(&cfg.Work, "work", filepath.Join(os.TempDir(), "actsync-bench"), "work `DIR`: exports, manifest, actsync binary, state directories")
	fs.BoolVar(&cfg.Delta, "delta", false, "also time actsync on the Day 1 delta against each round's initial state")
	fs.StringVar(&cfg.Actsync, "actsync", "", "use this actsync `BIN` instead of building ./cmd/actsync")
	fs.BoolVar(&cfg.Keep, "keep", false, "keep the state directories of every round")
	fs.BoolVar(&cfg.JSON, "json", false, "print the result as JSON on stdout")
	activities := fs.Int("activities", 0, "activities mode: time an activities-only run of `N` generated activities against --people people (default 100000 in this mode), see activities.go")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if cfg.People <= 0 || cfg.Rounds <= 0 || *activities < 0 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "actsync-bench: --people and --rounds must be positive; no positional arguments")
		fs.Usage()
		return 2
	}
	if *activities > 0 {
		peopleSet := false
		fs.Visit(func(f *flag.Flag) { peopleSet = peopleSet || f.Name == "people" })
		return activitiesMode(ctx, cfg, *activities, peopleSet, stdout, stderr)
	}
	res, err := bench(ctx, cfg, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "actsync-bench: %v\n", err)
		return 1
	}
	return report(res, cfg.JSON, stdout, stderr)
}

// outcome is what a bench mode measured.
type outcome interface {
	print(w io.Writer)
	agreed() bool // both sides produced the same rows
}

// report prints res (as JSON when asJSON) and returns the exit status: 1
// when the sides disagreed or res could not be written.
func report(res outcome, asJSON bool, stdout, stderr io.Writer) int {
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			fmt.Fprintf(stderr, "actsync-bench: %v\n", err)
			return 1
		}
	} else {
		res.print(stdout)
	}
	if !res.agreed() {
		return 1
	}
	return 0
}

// Side names, as printed.
const (
	sideActsync  = "actsync"
	sideBaseline = "duckdb-sql"
)

// binaries returns the actsync binary the bench times (cfg.Actsync, or one
// built from the module into work/bin) and this binary, which runs the
// baseline children.
func binaries(ctx context.Context, cfg config, work string, log io.Writer) (actsync, self string, err error) {
	actsync = cfg.Actsync
	if actsync == "" {
		fmt.Fprintf(log, "building actsync\n")
		if actsync, err = buildActsync(ctx, filepath.Join(work, "bin")); err != nil {
			return "", "", err
		}
	} else if actsync, err = filepath.Abs(actsync); err != nil {
		return "", "", err
	}
	self, err = os.Executable()
	return actsync, self, err
}

// bench runs the whole benchmark; progress goes to log.
func bench(ctx context.Context, cfg config, log io.Writer) (*result, error) {
	work, err := filepath.Abs(cfg.Work)
	if err != nil {
		return nil, err
	}
	wl, err := prepareWorkload(filepath.Join(work, "export"), cfg.People, cfg.Seed, cfg.Delta, log)
	if err != nil {
		return nil, fmt.Errorf("preparing the export: %w", err)
	}
	actsync, self, err := binaries(ctx, cfg, work, log)
	if err != nil {
		return nil, err
	}
	b := &bencher{actsync: actsync, self: self, wl: wl}

	res := &result{
		People: cfg.People, Seed: cfg.Seed, Rounds: cfg.Rounds, CPUs: runtime.NumCPU(),
		Input: wl.Initial, InputBytes: wl.Bytes, InputRows: wl.Rows, Reused: wl.Reused,
	}
	runs := filepath.Join(work, "runs")
	if err := os.RemoveAll(runs); err != nil {
		return nil, err
	}

	// Verification round: untimed, it also warms the page cache with the
	// input for both sides alike.
	fmt.Fprintf(log, "verification round\n")
	dir := filepath.Join(runs, "verify")
	if _, _, err := b.actsyncRun(ctx, filepath.Join(dir, "actsync"), wl.Initial); err != nil {
		return nil, err
	}
	if _, err := b.baselineRun(ctx, filepath.Join(dir, "baseline")); err != nil {
		return nil, err
	}
	if res.Agreement, err = compare(ctx, filepath.Join(dir, "actsync"), filepath.Join(dir, "baseline")); err != nil {
		return nil, err
	}
	res.Agreement.print(log)
	if err := cleanup(cfg.Keep, dir); err != nil {
		return nil, err
	}

	var a, bl, d sideRuns
	for r := 1; r <= cfg.Rounds; r++ {
		dir := filepath.Join(runs, "round-"+strconv.Itoa(r))
		m, rep, err := b.actsyncRun(ctx, filepath.Join(dir, "actsync"), wl.Initial)
		if err != nil {
			return nil, err
		}
		a.add(m, rep)
		fmt.Fprintf(log, "round %d/%d: %s %.2fs %.0f MiB", r, cfg.Rounds, sideActsync, m.Seconds, mib(m.MaxRSSKiB))
		if m, err = b.baselineRun(ctx, filepath.Join(dir, "baseline")); err != nil {
			return nil, err
		}
		bl.add(m, nil)
		fmt.Fprintf(log, ", %s %.2fs %.0f MiB", sideBaseline, m.Seconds, mib(m.MaxRSSKiB))
		if cfg.Delta {
			m, rep, err := b.deltaRun(ctx, filepath.Join(dir, "actsync"), filepath.Join(dir, "delta"))
			if err != nil {
				return nil, err
			}
			d.add(m, rep)
			fmt.Fprintf(log, ", delta %.2fs %.0f MiB", m.Seconds, mib(m.MaxRSSKiB))
		}
		fmt.Fprintln(log)
		if err := cleanup(cfg.Keep, dir); err != nil {
			return nil, err
		}
	}
	res.Sides = []side{a.summary(sideActsync, wl.Rows), bl.summary(sideBaseline, wl.Rows)}
	res.Ratio = res.Sides[0].MedianSeconds / res.Sides[1].MedianSeconds
	res.Stages = a.stageMedians()
	if cfg.Delta {
		ds := d.summary("actsync delta", wl.DeltaRows)
		res.Delta = &deltaResult{
			File: wl.Delta, Rows: wl.DeltaRows, side: ds,
			OfInitial: ds.MedianSeconds / res.Sides[0].MedianSeconds,
			Stages:    d.stageMedians(),
		}
	}
	return res, nil
}

// cleanup removes a round's state directories unless they are to be kept.
func cleanup(keep bool, dir string) error {
	if keep {
		return nil
	}
	return os.RemoveAll(dir)
}

// bencher runs the two sides.
type bencher struct {
	actsync string // actsync binary
	self    string // this binary, for the baseline child
	wl      *workload
}

// actsyncRun runs `actsync run` of input into the state dir and parses its
// report.
func (b *bencher) actsyncRun(ctx context.Context, state, input string) (measurement, *runReport, error) {
	if err := os.MkdirAll(filepath.Dir(state), 0o755); err != nil {
		return measurement{}, nil, err
	}
	m, err := runChild(ctx, filepath.Dir(state), nil, b.actsync, "run", "--people", input, "--state", state, "--json")
	if err != nil {
		return m, nil, err
	}
	var rep runReport
	if err := json.Unmarshal(m.Stdout, &rep); err != nil {
		return m, nil, fmt.Errorf("actsync run --json: %w", err)
	}
	if rep.Rows.Read != b.rowsOf(input) {
		return m, nil, fmt.Errorf("actsync read %d rows of %s, the manifest says %d", rep.Rows.Read, input, b.rowsOf(input))
	}
	return m, &rep, nil
}

func (b *bencher) rowsOf(input string) int64 {
	if input == b.wl.Delta {
		return b.wl.DeltaRows
	}
	return b.wl.Rows
}

// baselineRun runs the baseline child in a new directory dir.
func (b *bencher) baselineRun(ctx context.Context, dir string) (measurement, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return measurement{}, err
	}
	return runChild(ctx, dir, []string{childEnv + "=1"}, b.self, "baseline", "--people", b.wl.Initial)
}

// deltaRun copies the database of the initial state into a new state
// directory and runs actsync on the delta there.
func (b *bencher) deltaRun(ctx context.Context, initial, state string) (measurement, *runReport, error) {
	if err := os.MkdirAll(state, 0o700); err != nil {
		return measurement{}, nil, err
	}
	if err := copyFile(filepath.Join(initial, "actions.duckdb"), filepath.Join(state, "actions.duckdb")); err != nil {
		return measurement{}, nil, err
	}
	return b.actsyncRun(ctx, state, b.wl.Delta)
}

// copyFile copies src to dst.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
