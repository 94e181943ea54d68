package load

import (
	"context"
	dbsql "database/sql"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/actsync/actsync/internal/duckarrow"
)

// peopleStream feeds the run's people batches to DuckDB in memory: a
// statement on the state's connection scans them through the Arrow C
// stream interface (internal/duckarrow) while the pipeline is still
// producing them, so each row crosses from Go to DuckDB once, with no
// staging file. It is an array.RecordReader over a bounded channel:
//
//   - the producer (Loader.Write) sends a retained batch, or fails when
//     the scan has already ended (its error) or ctx is done;
//   - DuckDB pulls with Next on one of its threads and releases each batch
//     through the stream when it is done with it;
//   - close ends the stream (Next returns false); abort ends it with an
//     error, so the scanning statement fails instead of storing a truncated
//     table.
//
// The scan runs in its own goroutine: start it once, then wait for it.
type peopleStream struct {
	schema *arrow.Schema
	ch     chan arrow.RecordBatch
	done   chan struct{} // closed when the scanning statement returned
	err    error         // the statement's error, set before done is closed

	refs    atomic.Int64
	cur     arrow.RecordBatch
	aborted atomic.Bool
	started bool // start was called: done will be closed
	once    sync.Once
}

// streamDepth is how many batches may wait between the pipeline and
// DuckDB: enough to keep both busy, few enough to bound memory.
const streamDepth = 4

var errStreamAborted = errors.New("the run was aborted before its people were all read")

func newPeopleStream(schema *arrow.Schema) *peopleStream {
	s := &peopleStream{schema: schema, ch: make(chan arrow.RecordBatch, streamDepth), done: make(chan struct{})}
	s.refs.Store(1)
	return s
}

// start registers the stream as the temporary view view on conn and runs
// query (which scans it) in tx, a transaction of conn, in a new goroutine;
// finish returns its error.
func (s *peopleStream) start(ctx context.Context, conn *dbsql.Conn, tx *dbsql.Tx, view, query string, args ...any) error {
	s.started = true
	release, err := duckarrow.RegisterView(ctx, conn, s, view)
	if err != nil {
		close(s.done)
		return err
	}
	go func() {
		defer close(s.done)
		defer release()
		_, s.err = tx.ExecContext(ctx, query, args...)
		if _, err := tx.ExecContext(context.WithoutCancel(ctx), "DROP VIEW IF EXISTS "+view); err != nil && s.err == nil {
			s.err = err
		}
	}()
	return nil
}

// send hands b (borrowed) to the scan.
func (s *peopleStream) send(ctx context.Context, b arrow.RecordBatch) error {
	b.Retain()
	select {
	case s.ch <- b:
		return nil
	case <-s.done:
		b.Release()
		if s.err != nil {
			return s.err
		}
		return errors.New("the people scan ended before its input")
	case <-ctx.Done():
		b.Release()
		return ctx.Err()
	}
}

// finish ends the stream and waits for the scan: its error, if any.
func (s *peopleStream) finish() error {
	s.end()
	return s.err
}

// abort ends the stream with an error, so that the scan fails, and waits
// for it.
func (s *peopleStream) abort() {
	s.aborted.Store(true)
	s.end()
}

// end closes the stream once, waits for the scan if it was started,
// releases the batches it did not take and drops the stream's own
// reference (the scan's went when DuckDB released the C stream). Safe to
// call more than once.
func (s *peopleStream) end() {
	s.once.Do(func() {
		close(s.ch)
		if s.started {
			<-s.done
		}
		for b := range s.ch {
			b.Release()
		}
		s.Release()
	})
}

// The array.RecordReader side, called by DuckDB through the C stream.

func (s *peopleStream) Retain()               { s.refs.Add(1) }
func (s *peopleStream) Schema() *arrow.Schema { return s.schema }
func (s *peopleStream) Release() {
	if s.refs.Add(-1) == 0 && s.cur != nil {
		s.cur.Release()
		s.cur = nil
	}
}

func (s *peopleStream) Next() bool {
	if s.cur != nil {
		s.cur.Release()
		s.cur = nil
	}
	b, ok := <-s.ch
	if !ok || s.aborted.Load() {
		if ok {
			b.Release()
		}
		return false
	}
	s.cur = b
	return true
}

func (s *peopleStream) RecordBatch() arrow.RecordBatch { return s.cur }

// Record is RecordBatch, for the deprecated half of the interface.
func (s *peopleStream) Record() arrow.RecordBatch { return s.cur }

func (s *peopleStream) Err() error {
	if s.aborted.Load() {
		return errStreamAborted
	}
	return nil
}
