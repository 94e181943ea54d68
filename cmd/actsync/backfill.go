package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/actsync/actsync/pipeline"
	"github.com/actsync/actsync/stages/extract"
	"github.com/actsync/actsync/stages/load"
	"github.com/actsync/actsync/sync"
)

const backfillSynopsis = `Usage: actsync backfill [--state DIR] [--full] [--max-deactivate PCT] [--keep-snapshots N]
                        [--activity-types FILE] [--memory-limit SIZE] [--list] [--json] DIR

Applies a pile of exported files, oldest first, one run per export. An
export is every file under a directory whose name holds a date (YYYY-MM-DD
or YYYYMMDD), or the files of one date in one directory (a day's leads and
contacts), or else a single person file. Activity exports (a header with
activityTypeId) are reconciled in the run of their export, after its people;
they need a date in their path. Exports are ordered by the
date in their path (read as midnight UTC at its start), or, without one, by
the newest updatedAt inside; that time is the run's as-of time.

Resumable: an export whose files were all read by an earlier run (same
sha256) is skipped as a verified no-op, so rerunning the same command after
a failure, or after more files arrived, applies only what is new. Files
delivered late are safe: a row older than what the state holds for its
person changes nothing and is counted as stale. The backfill stops at the
first export that fails, keeps the ones applied before it, and says how to
resume. A progress bar with an ETA shows on a terminal.`

func backfillCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := sync.Config{Log: stderr}
	var asJSON bool
	fs := newFlags("backfill", backfillSynopsis, stderr)
	fs.StringVar(&cfg.State, "state", "./actsync-data", "state `DIR` holding actions.duckdb, snapshots/ and runs/")
	fs.BoolVar(&cfg.Full, "full", false, "each export is complete: deactivate active people absent from it (and last updated before its as-of time)")
	fs.Float64Var(&cfg.Safety.MaxDeactivatePct, "max-deactivate", load.DefaultMaxDeactivatePct, "stop at an export that would deactivate more than `PCT` percent of the active people")
	fs.IntVar(&cfg.KeepSnapshots, "keep-snapshots", 0, "after each run, keep only the snapshots of the newest `N` runs (0: keep all)")
	fs.StringVar(&cfg.MemoryLimit, "memory-limit", defaultMemoryLimit, memoryLimitUsage)
	fs.StringVar(&cfg.ActivityTypes, "activity-types", "", "`FILE` holding the body of GET /rest/v1/activities/types.json, for the activity exports (as in run)")
	list := fs.Bool("list", false, "print the exports in the order they would be applied, and which are already applied; apply nothing")
	fs.BoolVar(&asJSON, "json", false, "print one JSON object per export on stdout")
	if err := parse(fs, args); err != nil {
		return err
	}
	if cfg.Safety.MaxDeactivatePct == 0 {
		cfg.Safety.MaxDeactivatePct = math.SmallestNonzeroFloat64
	}
	if fs.NArg() != 1 || cfg.Safety.MaxDeactivatePct < 0 || cfg.Safety.MaxDeactivatePct > 100 || cfg.KeepSnapshots < 0 {
		fmt.Fprintln(stderr, "actsync backfill: give one directory (and --max-deactivate from 0 to 100, --keep-snapshots from 0)")
		fs.Usage()
		return errUsage
	}
	if err := sync.CheckMemoryLimit(ctx, cfg.MemoryLimit); err != nil {
		fmt.Fprintf(stderr, "actsync backfill: %v\n", err)
		fs.Usage()
		return errUsage
	}
	var bar *progressBar
	out := backfillPrinter{w: stdout, json: asJSON}
	show := func(p sync.BackfillProgress) {
		if bar == nil && !asJSON && isTerminal(stderr) {
			bar = newProgressBar(stderr, p.Exports)
		}
		e := p.Exports[p.Index]
		switch p.Step {
		case sync.BackfillApplying:
			bar.start(p.Index, e)
		case sync.BackfillApplied:
			bar.clear()
			bar.done(p.Index, e)
			out.applied(e, p.Report)
		case sync.BackfillSkipped:
			bar.done(p.Index, e)
			out.skipped(e, p.RunID)
		case sync.BackfillPending:
			out.pending(e)
		}
	}
	backfill := sync.Backfill
	if *list {
		backfill = sync.ListBackfill
	}
	err := backfill(ctx, cfg, fs.Arg(0), show)
	bar.clear()
	if err != nil {
		return err
	}
	return out.err
}

// backfillPrinter writes one line (or JSON object) per export.
type backfillPrinter struct {
	w    io.Writer
	json bool
	err  error
}

// backfillLine is the --json form of one export's outcome.
type backfillLine struct {
	Export   string           `json:"export"`
	AsOf     time.Time        `json:"as_of"`
	AsOfFrom string           `json:"as_of_from"`
	Files    []string         `json:"files"`
	Outcome  string           `json:"outcome"` // applied, skipped or pending (--list)
	RunID    int64            `json:"run_id,omitempty"`
	Report   *pipeline.Report `json:"report,omitempty"`
}

func (p *backfillPrinter) print(e extract.Export, outcome string, runID int64, report *pipeline.Report, text string) {
	if p.err != nil {
		return
	}
	if p.json {
		line := backfillLine{Export: e.Name, AsOf: e.AsOf, AsOfFrom: e.AsOfFrom, Outcome: outcome, RunID: runID, Report: report}
		for _, s := range append(slices.Clone(e.Sources), e.Activities...) {
			line.Files = append(line.Files, s.Path)
		}
		p.err = json.NewEncoder(p.w).Encode(line)
		return
	}
	_, p.err = fmt.Fprintf(p.w, "%-8s %s (as of %s, from %s): %s\n", outcome, e.Name, e.AsOf.Format(time.RFC3339), e.AsOfFrom, text)
}

func (p *backfillPrinter) skipped(e extract.Export, run int64) {
	p.print(e, "skipped", run, nil, fmt.Sprintf("already applied by run %d (sha256 verified)", run))
}

func (p *backfillPrinter) pending(e extract.Export) {
	p.print(e, "pending", 0, nil, fmt.Sprintf("%d person files, %d activity files, %d bytes", len(e.Sources), len(e.Activities), e.Bytes))
}

func (p *backfillPrinter) applied(e extract.Export, r *pipeline.Report) {
	c := r.Changes
	text := fmt.Sprintf("run %d: read %d, stale %d; %d inserted, %d updated, %d deactivated, %d reactivated",
		r.RunID, r.Rows.Read, r.Rows.Stale, c.Insert, c.Update, c.Deactivate, c.Reactivate)
	if a := r.Activities; a != nil {
		text += fmt.Sprintf("; %d activities loaded (%d matched)", a.Loaded, a.Matched)
	}
	p.print(e, "applied", r.RunID, r, text)
}

// progressBar draws one line on a terminal: exports done, bytes, ETA. A
// nil *progressBar draws nothing.
type progressBar struct {
	w        io.Writer
	total    int64
	doneB    int64
	n        int
	spent    time.Duration // time spent on applied exports, for the rate
	appliedB int64
	cur      time.Time
}

func newProgressBar(w io.Writer, exports []extract.Export) *progressBar {
	b := &progressBar{w: w, n: len(exports)}
	for _, e := range exports {
		b.total += e.Bytes
	}
	return b
}

func (b *progressBar) start(i int, e extract.Export) {
	if b == nil {
		return
	}
	b.cur = time.Now()
	b.draw(i, "applying "+e.Name)
}

func (b *progressBar) done(i int, e extract.Export) {
	if b == nil {
		return
	}
	if !b.cur.IsZero() {
		b.spent += time.Since(b.cur)
		b.appliedB += e.Bytes
		b.cur = time.Time{}
	}
	b.doneB += e.Bytes
	b.draw(i+1, "")
}

func (b *progressBar) draw(done int, what string) {
	const width = 30
	frac := 1.0
	if b.total > 0 {
		frac = float64(b.doneB) / float64(b.total)
	}
	filled := int(frac * width)
	eta := "ETA --"
	if b.appliedB > 0 && b.spent > 0 {
		left := time.Duration(float64(b.total-b.doneB) / float64(b.appliedB) * float64(b.spent))
		eta = "ETA " + left.Round(time.Second).String()
	}
	fmt.Fprintf(b.w, "\r\033[K[%s%s] %d/%d exports %3.0f%% %s %s",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, b.n, 100*frac, eta, what)
}

func (b *progressBar) clear() {
	if b == nil {
		return
	}
	fmt.Fprint(b.w, "\r\033[K")
}
