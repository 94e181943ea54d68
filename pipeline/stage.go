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
// them. Finish is called once after the last Process; it returns the batches
// that continue down the pipeline, each a reference the caller releases.
type Finisher interface {
	Stage
	Finish(ctx context.Context) ([]arrow.RecordBatch, error)
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
