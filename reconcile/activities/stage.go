package activities

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/sourcegraph/conc/pool"

	"github.com/actsync/actsync/pipeline"
	"github.com/actsync/actsync/stages/extract"
	"github.com/actsync/actsync/state"
)

// Staged is a run's activity inputs, parsed in full and written as Parquet
// in the run's staging directory, ready for the reconcile step.
type Staged struct {
	Glob        string           // read_parquet pattern of the staged activity files
	RejectsPath string           // Parquet file of RejectSchema rows
	Inputs      []pipeline.Input // one per source, in source order
	Rows        int64            // rows staged (read - rejected)
	Rejects     []Reject
}

// RejectSchema is the layout of Staged.RejectsPath.
var RejectSchema = state.InputRejectSchema

// Extract reads every source in full, at most parallel at a time, and
// stages its activities under dir/activities/ (one Parquet file per source)
// and the rejected rows in dir/activity_rejects.parquet. It runs before the
// run's transaction: any whole-file problem (a missing required column, a
// truncated gzip stream) returns an error and the run stops with nothing
// written. Batches never outlive the call: each is written and released.
func Extract(ctx context.Context, sources []extract.Source, types *Types, mem memory.Allocator, dir string, parallel int) (*Staged, error) {
	out := filepath.Join(dir, "activities")
	if err := os.MkdirAll(out, 0o700); err != nil {
		return nil, err
	}
	st := &Staged{
		Glob:        filepath.Join(out, "*.parquet"),
		RejectsPath: filepath.Join(dir, "activity_rejects.parquet"),
		Inputs:      make([]pipeline.Input, len(sources)),
	}
	rejects := make([][]Reject, len(sources))
	rows := make([]int64, len(sources))
	p := pool.New().WithContext(ctx).WithCancelOnError().WithFirstError().WithMaxGoroutines(max(parallel, 1))
	// Each file being staged keeps a core busy writing Parquet; its parse
	// gets the cores left. On two cores a lone file's parse stays on one
	// goroutine: measured, parsing in blocks there only took CPU from the
	// writer (BenchmarkExtract slower, not faster).
	files := max(1, min(parallel, len(sources)))
	opts := options{workers: max(1, runtime.GOMAXPROCS(0)/files-1)}
	for i, src := range sources {
		p.Go(func(ctx context.Context) error {
			in, rj, n, err := stageOne(ctx, src, types, mem, filepath.Join(out, fmt.Sprintf("%06d.parquet", i)), opts)
			if err != nil {
				return err
			}
			st.Inputs[i], rejects[i], rows[i] = in, rj, n
			return nil
		})
	}
	if err := p.Wait(); err != nil {
		return nil, err
	}
	for i := range sources {
		st.Rejects = append(st.Rejects, rejects[i]...)
		st.Rows += rows[i]
	}
	if err := state.StageInputRejects(st.RejectsPath, st.Rejects, mem); err != nil {
		return nil, err
	}
	// The parse and the Parquet writers leave a large Go heap that the run
	// no longer needs: the rest of the run is DuckDB's, whose memory would
	// otherwise come on top of it in the process's peak.
	debug.FreeOSMemory()
	return st, nil
}

// stageOne reads src and writes its batches to a Parquet file at path. The
// reader parses on the calling goroutine while a second one encodes and
// writes the previous batch (a batch is Retained for the writer, which
// releases it), so a large file keeps two cores busy; at most stageDepth
// batches wait between them.
func stageOne(ctx context.Context, src extract.Source, types *Types, mem memory.Allocator, path string, opts options) (pipeline.Input, []Reject, int64, error) {
	r, err := open(src, types, mem, opts)
	if err != nil {
		return pipeline.Input{}, nil, 0, err
	}
	defer r.Release()
	w, err := newParquetFile(path, Schema)
	if err != nil {
		return pipeline.Input{}, nil, 0, err
	}
	batches := make(chan arrow.RecordBatch, stageDepth)
	written := make(chan error, 1)
	go func() {
		var werr error
		for b := range batches {
			if werr == nil {
				if err := w.Write(b); err != nil {
					werr = fmt.Errorf("staging %s: %w", src.Path, err)
				}
			}
			b.Release()
		}
		if err := w.Close(); werr == nil && err != nil {
			werr = fmt.Errorf("staging %s: %w", src.Path, err)
		}
		written <- werr
	}()
	var n int64
	var rerr error
	for r.Next() {
		if rerr = ctx.Err(); rerr != nil {
			break
		}
		b := r.RecordBatch()
		n += b.NumRows()
		b.Retain()
		batches <- b
	}
	close(batches)
	werr := <-written
	if rerr == nil {
		rerr = r.Err()
	}
	if err := errors.Join(rerr, werr); err != nil {
		if rerr != nil {
			err = rerr
		}
		return pipeline.Input{}, nil, 0, err
	}
	return r.Stats(), r.Rejects(), n, nil
}

// stageDepth is the number of batches that may wait for the Parquet writer.
const stageDepth = 2

// newParquetFile stages activities like load stages people, with
// dictionaries only where values repeat: for ids, dates, lines and
// attributes the encoder's hash table is work that falls back to plain pages
// anyway.
func newParquetFile(path string, schema *arrow.Schema) (*state.StagingFile, error) {
	return state.NewStagingFile(path, schema,
		parquet.WithDictionaryDefault(false),
		parquet.WithDictionaryFor("type_name", true),
		parquet.WithDictionaryFor("category", true),
		parquet.WithDictionaryFor("sales_kind", true),
		parquet.WithDictionaryFor("action_result", true),
		parquet.WithDictionaryFor("path", true),
		parquet.WithDictionaryFor("reason", true),
	)
}
