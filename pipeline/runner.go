package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/sourcegraph/conc/pool"
)

// Source is one opened input: an array.RecordReader of RawSchema batches
// that can tell what it read once exhausted.
type Source interface {
	array.RecordReader
	Stats() Input
}

// Reporter is implemented by stages that contribute counts to the run report.
// The runner calls it after the stage's last batch.
type Reporter interface {
	Report(*Report)
}

// Runner wires the five stages of a people sync, explicitly:
//
//	Open(i) ─▶ Filter ─▶ Map ─▶ Dedupe ─▶ Load
//
// Inputs are read concurrently, at most Parallel at a time, into a bounded
// channel; filter sees their batches in any order (it breaks ties by file
// and line, not by arrival). When filter has seen every row it streams the
// survivors, one batch at a time, through map and dedupe into the sink. Any error cancels the run: batches in flight are released, the sink
// is aborted and nothing is committed.
type Runner struct {
	Inputs   int
	Open     func(ctx context.Context, i int) (Source, error)
	Filter   Finisher
	Map      Stage
	Dedupe   Stage
	Load     Sink
	Ledger   *Ledger
	Parallel int
	// Progress, when set, receives one-line progress updates ending in \r.
	Progress io.Writer
}

// Run executes the pipeline and fills report. It returns ctx.Err() when
// cancelled; on any error the sink has been aborted.
func (r *Runner) Run(ctx context.Context, report *Report) (err error) {
	defer func() {
		if err != nil {
			r.Load.Abort()
		}
	}()
	report.Inputs = make([]Input, r.Inputs)

	t := time.Now()
	if err := r.extractAndFilter(ctx, report); err != nil {
		return err
	}
	report.Stages = append(report.Stages, StageTiming{Stage: "extract+filter", Seconds: time.Since(t).Seconds()})
	if s, ok := r.Load.(Starter); ok {
		if err := s.Start(ctx, report); err != nil {
			return fmt.Errorf("load: %w", err)
		}
	}

	// Filter streams its survivors; each goes through map and dedupe into
	// the sink before filter reads the next.
	t = time.Now()
	var mapT, dedupeT, loadT time.Duration
	var filtered, synced int64
	var downstream error // the error of map, dedupe or load, wrapped
	emit := func(b arrow.RecordBatch) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		filtered += b.NumRows()
		t := time.Now()
		mapped, err := r.Map.Process(ctx, b)
		mapT += time.Since(t)
		if err != nil {
			downstream = fmt.Errorf("map: %w", err)
			return downstream
		}
		t = time.Now()
		keyed, err := r.Dedupe.Process(ctx, mapped)
		dedupeT += time.Since(t)
		mapped.Release()
		if err != nil {
			downstream = fmt.Errorf("dedupe: %w", err)
			return downstream
		}
		t = time.Now()
		err = r.Load.Write(ctx, keyed)
		loadT += time.Since(t)
		synced += keyed.NumRows()
		keyed.Release()
		if err != nil {
			downstream = fmt.Errorf("load: %w", err)
			return downstream
		}
		return nil
	}
	if err := r.Filter.Finish(ctx, emit); err != nil {
		switch {
		case downstream != nil:
			return downstream
		case ctx.Err() != nil:
			return ctx.Err()
		}
		return fmt.Errorf("filter: %w", err)
	}
	finishT := time.Since(t) - mapT - dedupeT - loadT
	report.Stages = append(report.Stages,
		StageTiming{Stage: "filter.finish", Seconds: finishT.Seconds(), RowsOut: filtered},
		StageTiming{Stage: "map", Seconds: mapT.Seconds(), RowsOut: synced},
		StageTiming{Stage: "dedupe", Seconds: dedupeT.Seconds(), RowsOut: synced},
	)

	report.Rows.Synced = synced
	for _, s := range []any{r.Filter, r.Map, r.Dedupe, r.Load} {
		if rep, ok := s.(Reporter); ok {
			rep.Report(report)
		}
	}
	rows, fields := r.Ledger.Counts()
	report.Rows.RejectedBy, report.Rows.FieldRejects = rows, fields
	report.Rows.Rejected = r.Ledger.RejectedRows()
	report.Rows.ExcludedBy = r.Ledger.Excluded()
	report.Rows.Excluded = 0
	for _, n := range report.Rows.ExcludedBy {
		report.Rows.Excluded += n
	}
	for _, in := range report.Inputs {
		report.Rows.Read += in.Rows
	}
	if !report.Rows.Balanced() {
		return fmt.Errorf("row accounting does not close: read %d != synced %d + excluded %d + rejected %d + superseded %d",
			report.Rows.Read, report.Rows.Synced, report.Rows.Excluded, report.Rows.Rejected, report.Rows.Superseded)
	}

	// What the Go side held for the run (filter index, batches) is
	// garbage now; the commit's SQL runs in DuckDB, outside the Go heap.
	// Handing the freed pages back first keeps the two from adding up.
	debug.FreeOSMemory()
	t = time.Now()
	if err := r.Load.Commit(ctx, report); err != nil {
		return fmt.Errorf("load: %w", err)
	}
	report.Stages = append(report.Stages, StageTiming{Stage: "load", Seconds: (loadT + time.Since(t)).Seconds(), RowsOut: synced})
	return nil
}

// extractAndFilter reads every input concurrently and feeds the batches to
// the filter stage through a bounded channel. The producer side closes the
// channel however it ends; the consumer drains and releases on error.
func (r *Runner) extractAndFilter(ctx context.Context, report *Report) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan arrow.RecordBatch, 2*max(r.Parallel, 1))
	errc := make(chan error, 1)
	go func() {
		defer close(ch)
		p := pool.New().WithContext(ctx).WithCancelOnError().WithFirstError().WithMaxGoroutines(max(r.Parallel, 1))
		for i := 0; i < r.Inputs; i++ {
			p.Go(func(ctx context.Context) error {
				src, err := r.Open(ctx, i)
				if err != nil {
					return err
				}
				defer src.Release()
				for src.Next() {
					b := src.RecordBatch()
					b.Retain()
					select {
					case ch <- b:
					case <-ctx.Done():
						b.Release()
						return ctx.Err()
					}
				}
				if err := src.Err(); err != nil {
					return err
				}
				report.Inputs[i] = src.Stats()
				return nil
			})
		}
		errc <- p.Wait()
	}()

	var read int64
	var ferr error
	for b := range ch {
		if ferr == nil {
			var out arrow.RecordBatch
			out, ferr = r.Filter.Process(ctx, b)
			if out != nil {
				// A Finisher holds its rows until Finish: a batch here
				// would be rows the runner does not know where to send.
				out.Release()
				ferr = errors.Join(ferr, errors.New("filter returned rows before Finish"))
			}
			if ferr != nil {
				cancel()
			}
			read += b.NumRows()
			if r.Progress != nil {
				fmt.Fprintf(r.Progress, "extract: %d rows\r", read)
			}
		}
		b.Release()
	}
	// A filter error cancelled the readers: theirs is then only the echo.
	eerr := <-errc
	if ferr != nil {
		return fmt.Errorf("filter: %w", ferr)
	}
	if eerr != nil {
		return fmt.Errorf("extract: %w", eerr)
	}
	return ctx.Err()
}
