package pipeline

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// endless yields the same one-row batch until its context is cancelled.
type endless struct {
	array.RecordReader
	ctx context.Context
	b   arrow.RecordBatch
}

func (e *endless) Next() bool                     { return e.ctx.Err() == nil }
func (e *endless) RecordBatch() arrow.RecordBatch { return e.b }
func (e *endless) Err() error                     { return e.ctx.Err() }
func (e *endless) Release()                       {}
func (e *endless) Stats() Input                   { return Input{} }

type failingFilter struct{ err error }

func (f failingFilter) Process(context.Context, arrow.RecordBatch) (arrow.RecordBatch, error) {
	return nil, f.err
}
func (f failingFilter) Finish(context.Context, func(arrow.RecordBatch) error) error { return nil }

type abortSink struct{ aborted bool }

func (s *abortSink) Write(context.Context, arrow.RecordBatch) error { return nil }
func (s *abortSink) Commit(context.Context, *Report) error          { return errors.New("committed") }
func (s *abortSink) Abort() error                                   { s.aborted = true; return nil }

// A filter error cancels the readers; the run must report the filter's
// error, not the readers' context.Canceled, and abort the sink.
func TestRunnerReportsTheFilterError(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	bld := array.NewRecordBuilder(mem, RawSchema)
	defer bld.Release()
	bld.Field(0).(*array.Int64Builder).Append(1)
	for i := 1; i < len(RawSchema.Fields())-2; i++ {
		bld.Field(i).AppendNull()
	}
	bld.Field(len(RawSchema.Fields()) - 2).(*array.Int32Builder).Append(0)
	bld.Field(len(RawSchema.Fields()) - 1).(*array.Int64Builder).Append(2)
	batch := bld.NewRecordBatch()
	defer batch.Release()

	ledger := NewLedger(mem)
	defer ledger.Close()
	sink := &abortSink{}
	r := &Runner{
		Inputs:   2,
		Open:     func(ctx context.Context, i int) (Source, error) { return &endless{ctx: ctx, b: batch}, nil },
		Filter:   failingFilter{err: errors.New("boom")},
		Load:     sink,
		Ledger:   ledger,
		Parallel: 2,
	}
	err := r.Run(context.Background(), &Report{})
	if err == nil || !strings.Contains(err.Error(), "filter: boom") {
		t.Fatalf("Run error = %v, want the filter's", err)
	}
	if !sink.aborted {
		t.Error("sink was not aborted")
	}
}
