package sync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/pipeline"
	"github.com/actsync/actsync/reconcile/activities"
	"github.com/actsync/actsync/stages/extract"
	"github.com/actsync/actsync/state"
)

// BackfillStep is what a backfill did with one export.
type BackfillStep int

const (
	// BackfillApplying: a run on the export starts.
	BackfillApplying BackfillStep = iota
	// BackfillApplied: the export's run committed (Report, RunID).
	BackfillApplied
	// BackfillSkipped: every file of the export was read by an earlier run
	// (same sha256), the first of which is RunID.
	BackfillSkipped
	// BackfillPending: ListBackfill found the export not applied yet.
	BackfillPending
)

// BackfillProgress tells a backfill's caller about one export.
type BackfillProgress struct {
	Step    BackfillStep
	Exports []extract.Export // every export found, in the order they apply
	Index   int              // the export's, in Exports
	RunID   int64
	Report  *pipeline.Report // BackfillApplied
}

// Backfill applies the exports under dir (extract.FindExports), oldest
// first, one run per export against the state in cfg.State, which it holds
// (with its writer lock) across the runs. cfg's input paths and AsOf are
// not read: each run reads one export, as of the export's time. An export
// whose files were all read by an earlier run (same sha256) is skipped, so
// rerunning a backfill applies only what is new. It stops at the first
// export that fails, keeping the runs before it, and returns an error
// saying how to resume. progress, when not nil, is told about each export
// as it goes.
func Backfill(ctx context.Context, cfg Config, dir string, progress func(BackfillProgress)) error {
	return backfill(ctx, cfg, dir, false, progress)
}

// ListBackfill is a dry Backfill: it tells progress about each export in
// the order Backfill would apply them, as BackfillSkipped or
// BackfillPending, and writes nothing. It opens an existing state
// read-only; a missing state has applied nothing.
func ListBackfill(ctx context.Context, cfg Config, dir string, progress func(BackfillProgress)) error {
	return backfill(ctx, cfg, dir, true, progress)
}

func backfill(ctx context.Context, cfg Config, dir string, list bool, progress func(BackfillProgress)) error {
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return fmt.Errorf("backfill: %s is not a directory", dir)
	}
	if cfg.Mem == nil {
		cfg.Mem = memory.DefaultAllocator
	}
	if progress == nil {
		progress = func(BackfillProgress) {}
	}
	exports, err := extract.FindExports(dir, cfg.Mem)
	if err != nil {
		return fmt.Errorf("backfill: %w", err)
	}
	types := activities.BuiltinTypes()
	if cfg.ActivityTypes != "" {
		if _, err := types.LoadTypesFile(cfg.ActivityTypes); err != nil {
			return fmt.Errorf("--activity-types: %w", err)
		}
	}
	var st *state.State
	if list {
		if _, statErr := os.Stat(filepath.Join(cfg.State, state.DatabaseFile)); statErr == nil {
			st, err = state.OpenReadOnly(ctx, cfg.State)
		}
	} else {
		st, err = OpenState(ctx, cfg.State, cfg.Log, cfg.MemoryLimit)
	}
	if err != nil {
		return err
	}
	if st != nil {
		defer st.Close()
	}

	applied := 0
	for i, e := range exports {
		step := BackfillProgress{Exports: exports, Index: i}
		if st != nil {
			done, run, err := alreadyApplied(ctx, st, e)
			if err != nil {
				return err
			}
			if done {
				step.Step, step.RunID = BackfillSkipped, run
				progress(step)
				continue
			}
		}
		if list {
			step.Step = BackfillPending
			progress(step)
			continue
		}
		step.Step = BackfillApplying
		progress(step)
		run := cfg
		run.AsOf = e.AsOf
		run.People = nil
		report, err := RunIn(ctx, st, run, Inputs{People: e.Sources, Activities: e.Activities, Types: types})
		if err != nil {
			return fmt.Errorf("backfill stopped at export %d of %d (%s): %w; the %d applied before it are kept; fix or remove it and rerun the same command to resume (applied exports are skipped)",
				i+1, len(exports), e.Name, err, applied)
		}
		applied++
		step.Step, step.RunID, step.Report = BackfillApplied, report.RunID, report
		progress(step)
	}
	return nil
}

// alreadyApplied reports whether every file of e was read by an earlier
// run (same sha256), and the first such run. A file whose size no earlier
// input had is new without hashing it: the run about to read it hashes it
// anyway, so a new export is read once for its digest, not twice.
func alreadyApplied(ctx context.Context, st *state.State, e extract.Export) (bool, int64, error) {
	files := append(slices.Clone(e.Sources), e.Activities...)
	sizes := make([]int64, len(files))
	for i, f := range files {
		info, err := os.Stat(f.Path)
		if err != nil {
			return false, 0, fmt.Errorf("backfill: %w", err)
		}
		sizes[i] = info.Size()
	}
	known, err := st.InputSizes(ctx, sizes)
	if err != nil {
		return false, 0, err
	}
	for _, n := range sizes {
		if !known[n] {
			return false, 0, nil
		}
	}
	sums, err := hashFiles(files)
	if err != nil {
		return false, 0, fmt.Errorf("backfill: %w", err)
	}
	seen, err := st.AppliedIn(ctx, sums)
	if err != nil {
		return false, 0, err
	}
	for _, sum := range sums { // two files of one export may be identical
		if _, ok := seen[sum]; !ok {
			return false, 0, nil
		}
	}
	return true, seen[sums[0]], nil
}

// hashFiles returns the sha256 of each source's file, as the inputs table
// records it.
func hashFiles(sources []extract.Source) ([]string, error) {
	sums := make([]string, len(sources))
	for i, s := range sources {
		f, err := os.Open(s.Path)
		if err != nil {
			return nil, err
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Path, err)
		}
		sums[i] = hex.EncodeToString(h.Sum(nil))
	}
	return sums, nil
}
