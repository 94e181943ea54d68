package pipeline

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
)

// Stage transforms one batch. Process borrows in and returns a new reference
// that the caller releases, or nil when every row of in left the main flow
// (to the ledger or to a stage's side output). It must not keep in past the
// call unless it Retains it.
type Stage interface {
	Process(ctx context.Context, in arrow.RecordBatch) (arrow.RecordBatch, error)
}

// Finisher is a stateful stage that holds rows until it has seen all of
// them: its Process returns nil. Finish is called once after the last
// Process and streams the rows that continue down the pipeline to emit, one
// batch at a time, so that no more than one of them need be in memory.
// emit borrows its batch (it Retains it to keep it past the call); Finish
// releases the batch after emit returns. Finish stops at emit's first error
// and returns it unchanged; it returns ctx.Err() when cancelled.
type Finisher interface {
	Stage
	Finish(ctx context.Context, emit func(arrow.RecordBatch) error) error
}

// Sink is the last stage: it consumes batches and makes them durable in one
// atomic step. Write borrows its batch. Nothing is visible to readers of the
// state before Commit returns nil; Abort discards what Write staged and is
// safe to call after Commit.
type Sink interface {
	Write(ctx context.Context, batch arrow.RecordBatch) error
	Commit(ctx context.Context, report *Report) error
	Abort() error
}

// Starter is implemented by a sink that begins its work before the first
// Write: the runner calls Start once, when every input has been read and
// report.Inputs is complete, before the filter emits its first batch. On
// an error the runner aborts the sink.
type Starter interface {
	Start(ctx context.Context, report *Report) error
}
