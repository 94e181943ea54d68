package salesforce

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/pipeline"
	"github.com/actsync/actsync/stages/extract"
	"github.com/actsync/actsync/state"
)

// Sources are a run's inputs of the two-way reconciliation, by Input.Name.
// An input without sources is staged empty.
type Sources map[string][]extract.Source

// Staged is a run's two-way inputs parsed in full and written as Parquet in
// the run's staging directory, ready for the Reconcile step.
type Staged struct {
	Files       map[string]string // Input.Name → Parquet file of Input.Schema() rows
	RejectsPath string            // Parquet file of state.InputRejectSchema rows
	Inputs      []pipeline.Input  // one per source, inputs in Inputs order
	Rejects     []Reject
}

// Extract reads every source in full and stages each input's rows under
// dir/salesforce/<input>.parquet and the rejected rows in
// dir/salesforce/rejects.parquet. It runs before the run's transaction: a
// whole-file problem returns an error and the run stops with nothing
// written. Batches never outlive the call. The inputs are small (task and
// opt-out exports), so they are read one after the other.
func Extract(ctx context.Context, sources Sources, mem memory.Allocator, dir string) (*Staged, error) {
	out := filepath.Join(dir, "salesforce")
	if err := os.MkdirAll(out, 0o700); err != nil {
		return nil, err
	}
	st := &Staged{Files: map[string]string{}, RejectsPath: filepath.Join(out, "rejects.parquet")}
	for _, in := range Inputs {
		path := filepath.Join(out, in.Name+".parquet")
		w, err := state.NewStagingFile(path, in.Schema())
		if err != nil {
			return nil, err
		}
		for _, src := range sources[in.Name] {
			if err := ctx.Err(); err != nil {
				w.Close()
				return nil, err
			}
			stats, rejects, err := Read(src, in, mem, 0, w.Write)
			if err != nil {
				w.Close()
				return nil, err
			}
			st.Inputs = append(st.Inputs, stats)
			st.Rejects = append(st.Rejects, rejects...)
		}
		if err := w.Close(); err != nil {
			return nil, fmt.Errorf("staging %s: %w", in.Name, err)
		}
		st.Files[in.Name] = path
	}
	if err := state.StageInputRejects(st.RejectsPath, st.Rejects, mem); err != nil {
		return nil, err
	}
	return st, nil
}
