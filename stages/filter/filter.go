// Package filter is the stage that decides, for each person of a run, which
// row speaks for them and whether they are sales-ready (DESIGN R2).
//
// A person's newest row decides: when one Marketo id appears more than once
// in a run, the row with the latest updatedAt wins (no or unreadable
// updatedAt counts as oldest; ties go to the later row by input order and
// line) and the others are superseded. Only then is eligibility judged on
// the winner: no owner is no_sales_owner, an owner id starting 00G (a
// Salesforce queue) is owner_is_queue, anything else (a user id, an owner
// email) is a sales owner.
//
// Because the last row of a run can supersede the first, Filter holds every
// batch it is given (Process retains it and returns nil) and releases the
// survivors in Finish. Its memory is the run's extracted rows plus 32 bytes
// per distinct person.
package filter

import (
	"context"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/pipeline"
)

// QueuePrefix is the key prefix of Salesforce Group (queue) ids.
const QueuePrefix = "00G"

// winner is the row that currently speaks for a person.
type winner struct {
	ts    int64 // updatedAt in µs; math.MinInt64 when absent
	line  int64
	file  int32
	batch int32
	row   int32
}

func (w winner) olderThan(o winner) bool {
	if w.ts != o.ts {
		return w.ts < o.ts
	}
	if w.file != o.file {
		return w.file < o.file
	}
	return w.line < o.line
}

// Filter is the filter stage. Use New; call Process for every batch, then
// Finish once, then Close.
type Filter struct {
	mem        memory.Allocator
	ledger     *pipeline.Ledger
	batches    []arrow.RecordBatch
	winners    map[int64]winner
	superseded int64
}

// New returns a filter that records exclusions in ledger.
func New(mem memory.Allocator, ledger *pipeline.Ledger) *Filter {
	return &Filter{mem: mem, ledger: ledger, winners: map[int64]winner{}}
}

var (
	colID      = pipeline.RawIndex(pipeline.ColMarketoID)
	colUpdated = pipeline.RawIndex(pipeline.ColUpdatedAt)
	colOwner   = pipeline.RawIndex(pipeline.ColSalesOwnerID)
	colFile    = pipeline.RawIndex(pipeline.ColFile)
	colLine    = pipeline.RawIndex(pipeline.ColLine)
)

// Process retains in and returns nil: no row can leave before Finish.
func (f *Filter) Process(ctx context.Context, in arrow.RecordBatch) (arrow.RecordBatch, error) {
	in.Retain()
	bi := int32(len(f.batches))
	f.batches = append(f.batches, in)
	ids := in.Column(colID).(*array.Int64)
	upd := in.Column(colUpdated).(*array.String)
	files := in.Column(colFile).(*array.Int32)
	lines := in.Column(colLine).(*array.Int64)
	for i := 0; i < int(in.NumRows()); i++ {
		w := winner{ts: math.MinInt64, line: lines.Value(i), file: files.Value(i), batch: bi, row: int32(i)}
		if upd.IsValid(i) {
			if t, ok := pipeline.ParseTimestamp(upd.Value(i)); ok {
				w.ts = t.UnixMicro()
			}
		}
		id := ids.Value(i)
		if cur, ok := f.winners[id]; ok {
			f.superseded++
			if w.olderThan(cur) {
				continue
			}
		}
		f.winners[id] = w
	}
	return nil, nil
}

// Finish records the exclusions and returns, per held batch, its rows that
// win and are sales-ready. Each returned batch is a new reference.
func (f *Filter) Finish(ctx context.Context) ([]arrow.RecordBatch, error) {
	keep := make([][]bool, len(f.batches))
	for i, b := range f.batches {
		keep[i] = make([]bool, b.NumRows())
	}
	for id, w := range f.winners {
		b := f.batches[w.batch]
		owner := b.Column(colOwner).(*array.String)
		switch reason := Eligibility(owner, int(w.row)); reason {
		case "":
			keep[w.batch][w.row] = true
		default:
			f.ledger.Exclude(id, reason, w.file, w.line)
		}
	}
	f.winners = nil
	// compute allocates from the context's allocator, not from a parameter.
	ctx = compute.WithAllocator(ctx, f.mem)
	out := make([]arrow.RecordBatch, 0, len(f.batches))
	release := func() {
		for _, b := range out {
			b.Release()
		}
	}
	for i, b := range f.batches {
		if err := ctx.Err(); err != nil {
			release()
			return nil, err
		}
		mask := array.NewBooleanBuilder(f.mem)
		mask.AppendValues(keep[i], nil)
		arr := mask.NewBooleanArray()
		mask.Release()
		filtered, err := compute.FilterRecordBatch(ctx, b, arr, compute.DefaultFilterOptions())
		arr.Release()
		if err != nil {
			release()
			return nil, err
		}
		// The held batch is no longer needed: free it as we go.
		b.Release()
		f.batches[i] = nil
		if filtered.NumRows() == 0 {
			filtered.Release()
			continue
		}
		out = append(out, filtered)
	}
	f.batches = nil
	return out, nil
}

// Eligibility returns "" when row i of owner names a sales owner, else the
// exclusion reason.
func Eligibility(owner *array.String, i int) string {
	if owner.IsNull(i) {
		return pipeline.ReasonNoSalesOwner
	}
	// An email address is a user even when it happens to start with 00G.
	if v := owner.Value(i); strings.HasPrefix(v, QueuePrefix) && !strings.Contains(v, "@") {
		return pipeline.ReasonOwnerIsQueue
	}
	return ""
}

// Report adds the superseded count.
func (f *Filter) Report(r *pipeline.Report) { r.Rows.Superseded = f.superseded }

// Close releases whatever the filter still holds (after an error).
func (f *Filter) Close() {
	for _, b := range f.batches {
		if b != nil {
			b.Release()
		}
	}
	f.batches = nil
}
