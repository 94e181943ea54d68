package salesforce

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/pipeline"
	"github.com/actsync/actsync/stages/extract"
	"github.com/actsync/actsync/stages/load"
)

// Sources are a run's inputs of the two-way reconciliation, by Input.Name.
// An input without sources is staged empty.
type Sources map[string][]extract.Source

// Staged is a run's two-way inputs parsed in full and written as Parquet in
// the run's staging directory, ready for the Reconcile step.
type Staged struct {
	Files       map[string]string // Input.Name → Parquet file of Input.Schema() rows
	RejectsPath string            // Parquet file of RejectSchema rows
	Inputs      []pipeline.Input  // one per source, inputs in Inputs order
	Given       map[string]bool   // which inputs had sources
	Rejects     []Reject
}

// RejectSchema is the layout of Staged.RejectsPath, as the shared
// activity_insert_rejects.sql reads it.
var RejectSchema = arrow.NewSchema([]arrow.Field{
	{Name: "path", Type: arrow.BinaryTypes.String},
	{Name: "line", Type: arrow.PrimitiveTypes.Int64},
	{Name: "reason", Type: arrow.BinaryTypes.String},
	{Name: "detail", Type: arrow.BinaryTypes.String},
	{Name: "raw", Type: arrow.BinaryTypes.String},
}, nil)

// Extract reads every source in full and stages each input's rows under
// dir/salesforce/<input>.parquet and the rejected rows in
// dir/salesforce/rejects.parquet. It runs before the run's transaction: a
// whole-file problem returns an error and the run stops with nothing
// written. Batches never outlive the call. The inputs are small (task and
// opt-out exports), so they are read one after the other.
func Extract(ctx context.Context, sources Sources, mem memory.Allocator, dir string) (*Staged, error) {
	out := filepath.Join(dir, "salesforce")
	if err := mkdir(out); err != nil {
		return nil, err
	}
	st := &Staged{Files: map[string]string{}, Given: map[string]bool{}, RejectsPath: filepath.Join(out, "rejects.parquet")}
	for _, in := range Inputs {
		path := filepath.Join(out, in.Name+".parquet")
		w, err := load.NewStagingFile(path, in.Schema())
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
			st.Given[in.Name] = true
		}
		if err := w.Close(); err != nil {
			return nil, fmt.Errorf("staging %s: %w", in.Name, err)
		}
		st.Files[in.Name] = path
	}
	if err := writeRejects(st.RejectsPath, st.Rejects, mem); err != nil {
		return nil, err
	}
	return st, nil
}

func writeRejects(path string, rejects []Reject, mem memory.Allocator) error {
	b := array.NewRecordBuilder(mem, RejectSchema)
	defer b.Release()
	for _, r := range rejects {
		b.Field(0).(*array.StringBuilder).Append(r.File)
		b.Field(1).(*array.Int64Builder).Append(r.Line)
		b.Field(2).(*array.StringBuilder).Append(r.Reason)
		b.Field(3).(*array.StringBuilder).Append(r.Detail)
		b.Field(4).(*array.StringBuilder).Append(r.Raw)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	w, err := load.NewStagingFile(path, RejectSchema)
	if err != nil {
		return err
	}
	if err := w.Write(rec); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

func mkdir(dir string) error { return os.MkdirAll(dir, 0o700) }
