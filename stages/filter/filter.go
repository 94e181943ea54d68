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
// # Memory
//
// Because the last row of a run can supersede the first, no row can leave
// before Finish. Process therefore keeps every batch it is given (returning
// nil) and updates the winner index, a map from Marketo id to the updatedAt
// and provenance of that person's newest row: 16 bytes of value per distinct
// person, 40 to 56 bytes with the map's own overhead, which depends on how
// full its tables happen to be (BenchmarkWinnerIndex). Finish first turns
// the index into a bitmap of the winning rows by input and line (about one
// bit per line read) and drops the map, so that reading the held batches
// back costs a bit test per row instead of a map lookup, and the map's
// memory is free before the load needs it.
//
// With Options.SpillDir set, Process writes each batch to a spill file in
// that directory instead of retaining it, so the filter's memory is the
// index alone, whatever the size of the export. Finish reads the spilled
// batches back one at a time, in the order they came, and passes each
// batch's kept rows to emit before reading the next; the file is removed by
// Finish or Close. Without SpillDir the batches are retained in memory:
// the filter then holds the whole run, which suits tests and small runs.
//
// The spill file is in the Arrow IPC file format, uncompressed: the footer
// indexes every record batch, so Finish reads batch i back by position
// (ipc.FileReader.RecordBatchAt) with no decoding at all. It writes and
// reads back faster than Parquet, whose encode and decode work buys a
// smaller file the filter does not need, and faster than LZ4-compressed
// IPC, which halves the file (to about half the size of the CSV export)
// for a compression that took about a quarter of the extract's CPU: on a
// 2M-row export the run took 13.7 s instead of 15.1 s (measurements in
// docs/performance.md). The cost is disk: the spill is about the size of
// the export, for the length of the run.
//
// # Ownership
//
// Process borrows its batch: it Retains it only when holding it in memory,
// and a spilled batch is not kept at all. Finish gives emit a batch it
// borrows and releases it when emit returns. Every batch Finish reads back
// or still holds is released however it returns; Close releases or removes
// whatever an abandoned run (no Finish, or a failed one) left.
package filter

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/pipeline"
)

// QueuePrefix is the key prefix of Salesforce Group (queue) ids.
const QueuePrefix = "00G"

// Options configure a Filter.
type Options struct {
	// SpillDir, when not empty, is an existing directory where Process
	// writes the batches it must hold until Finish, in one file that
	// Finish or Close removes. Empty holds them in memory.
	SpillDir string
}

// Bounds of winner.pos: an input index and a line number each get part of
// one uint64, so that input order compares as one unsigned integer.
const (
	lineBits = 40
	maxLine  = 1<<lineBits - 1 // about 10^12 lines in one input
	maxFile  = 1<<(64-lineBits) - 1
)

// winner is the row that currently speaks for a person, the value of the
// index's one entry per person: 16 bytes. Provenance (input, line) names
// one row of a run, so it serves both as the tie-break and to find the row
// again in Finish.
type winner struct {
	ts  int64  // updatedAt in µs; math.MinInt64 when absent or unreadable
	pos uint64 // file<<lineBits | line: input order, the tie-break
}

func (w winner) olderThan(o winner) bool {
	if w.ts != o.ts {
		return w.ts < o.ts
	}
	return w.pos < o.pos
}

// Filter is the filter stage. Use New; call Process for every batch, then
// Finish once, then Close (always: it removes the spill of a run that did
// not get to Finish).
type Filter struct {
	mem        memory.Allocator
	ledger     *pipeline.Ledger
	store      store
	rows       []int64 // rows of each held batch, by batch index
	lastLine   []int64 // the highest line seen, by input index
	winners    map[int64]winner
	superseded int64
	err        error // a failed Process leaves the index inconsistent
}

// New returns a filter that records exclusions in ledger and allocates the
// batches it builds or reads back from mem.
func New(mem memory.Allocator, ledger *pipeline.Ledger, opts Options) *Filter {
	f := &Filter{mem: mem, ledger: ledger, winners: map[int64]winner{}}
	if opts.SpillDir != "" {
		f.store = &spillFile{mem: mem, dir: opts.SpillDir}
	} else {
		f.store = &memStore{}
	}
	return f
}

var (
	colID      = pipeline.RawIndex(pipeline.ColMarketoID)
	colUpdated = pipeline.RawIndex(pipeline.ColUpdatedAt)
	colOwner   = pipeline.RawIndex(pipeline.ColSalesOwnerID)
	colFile    = pipeline.RawIndex(pipeline.ColFile)
	colLine    = pipeline.RawIndex(pipeline.ColLine)
)

// Process records in's rows in the winner index and keeps in (spilled or
// retained) for Finish. It returns nil: no row can leave before Finish.
func (f *Filter) Process(ctx context.Context, in arrow.RecordBatch) (arrow.RecordBatch, error) {
	if f.err != nil {
		return nil, f.err
	}
	if err := f.process(in); err != nil {
		f.err = fmt.Errorf("after a failed batch: %w", err)
		return nil, err
	}
	return nil, nil
}

func (f *Filter) process(in arrow.RecordBatch) error {
	n := in.NumRows()
	if n == 0 {
		return nil
	}
	ids := in.Column(colID).(*array.Int64)
	upd := in.Column(colUpdated).(*array.String)
	files := in.Column(colFile).(*array.Int32)
	lines := in.Column(colLine).(*array.Int64)
	for i := range int(n) {
		file, line := files.Value(i), lines.Value(i)
		if file < 0 || file > maxFile || line < 0 || line > maxLine {
			return fmt.Errorf("row at input %d line %d: input index or line out of range", file, line)
		}
		w := winner{ts: updatedMicros(upd, i), pos: uint64(file)<<lineBits | uint64(line)}
		if int(file) >= len(f.lastLine) {
			f.lastLine = append(f.lastLine, make([]int64, int(file)+1-len(f.lastLine))...)
		}
		f.lastLine[file] = max(f.lastLine[file], line)
		id := ids.Value(i)
		if cur, ok := f.winners[id]; ok {
			f.superseded++
			if w.olderThan(cur) {
				continue
			}
		}
		f.winners[id] = w
	}
	// On any error above or here the index may point at a batch that is
	// not held: Process sets f.err and the filter refuses to go on.
	if err := f.store.put(in); err != nil {
		return err
	}
	f.rows = append(f.rows, n)
	return nil
}

// Finish records the exclusions and passes emit, batch by batch in the
// order Process saw them, the rows that win and are sales-ready. emit
// borrows its batch; Finish returns emit's error unchanged and stops. Finish
// holds one batch at a time besides a bitmap of the winning rows (about one
// bit per line read), so its memory does not grow with the export beyond
// that bit.
func (f *Filter) Finish(ctx context.Context, emit func(arrow.RecordBatch) error) (err error) {
	defer func() {
		if cerr := f.store.close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
		f.winners = nil
	}()
	if f.err != nil {
		return f.err
	}
	won, want := f.winningLines()
	// The index was most of the Go heap (16 bytes a person plus the map's
	// own overhead); what the read-back needs is a batch at a time.
	// Returning the freed pages now, rather than at the scavenger's pace,
	// leaves them to DuckDB, which loads the people while this reads.
	debug.FreeOSMemory()
	// compute allocates from the context's allocator, not from a parameter.
	ctx = compute.WithAllocator(ctx, f.mem)
	var mask []byte // the keep bitmap of one batch, reused
	var found int64
	for i, n := range f.rows {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, err := f.store.take(i)
		if err != nil {
			return err
		}
		if b.NumRows() != n {
			b.Release()
			return fmt.Errorf("held batch %d has %d rows, want %d", i, b.NumRows(), n)
		}
		mask = slices.Grow(mask[:0], int(bitutil.BytesForBits(n)))[:bitutil.BytesForBits(n)]
		clear(mask)
		winners, err := f.finishBatch(ctx, b, won, mask, emit)
		b.Release()
		if err != nil {
			return err
		}
		found += winners
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if found != want {
		return fmt.Errorf("%d winning rows not found in the held batches", want-found)
	}
	return nil
}

// winningLines turns the index into a bitmap of the winning rows, by input
// index and then line, and drops the index. It returns the bitmaps and the
// number of winners.
func (f *Filter) winningLines() ([][]byte, int64) {
	won := make([][]byte, len(f.lastLine))
	for file, last := range f.lastLine {
		won[file] = make([]byte, bitutil.BytesForBits(last+1))
	}
	for _, w := range f.winners {
		bitutil.SetBit(won[w.pos>>lineBits], int(w.pos&maxLine))
	}
	n := int64(len(f.winners))
	f.winners = nil
	return won, n
}

// finishBatch finds the winners among the rows of b (the bits set in won,
// by input index and line), records the exclusions and emits the kept
// rows; mask is a zeroed bitmap of b's rows. It returns how many of b's
// rows won.
func (f *Filter) finishBatch(ctx context.Context, b arrow.RecordBatch, won [][]byte, mask []byte, emit func(arrow.RecordBatch) error) (int64, error) {
	owner := b.Column(colOwner).(*array.String)
	ids := b.Column(colID).(*array.Int64)
	upd := b.Column(colUpdated).(*array.String)
	files := b.Column(colFile).(*array.Int32)
	lines := b.Column(colLine).(*array.Int64)
	n := int(b.NumRows())
	var winners int64
	kept := 0
	for i := range n {
		file, line := files.Value(i), lines.Value(i)
		if int(file) >= len(won) || line >= int64(len(won[file]))*8 || !bitutil.BitIsSet(won[file], int(line)) {
			continue // superseded
		}
		// Found: a second row with the same provenance, were there one,
		// is superseded too.
		bitutil.ClearBit(won[file], int(line))
		winners++
		if reason := Eligibility(owner, i); reason != "" {
			f.ledger.Exclude(ids.Value(i), reason, file, line, updatedMicros(upd, i))
			continue
		}
		bitutil.SetBit(mask, i)
		kept++
	}
	switch kept {
	case 0:
		return winners, nil
	case n:
		return winners, emit(b)
	}
	keep := array.NewBoolean(n, memory.NewBufferBytes(mask), nil, 0)
	defer keep.Release()
	out, err := compute.FilterRecordBatch(ctx, b, keep, compute.DefaultFilterOptions())
	if err != nil {
		return winners, err
	}
	defer out.Release()
	return winners, emit(out)
}

// updatedMicros is row i's updatedAt in µs, math.MinInt64 when absent or
// unreadable: the order of winner.ts.
func updatedMicros(upd *array.String, i int) int64 {
	if upd.IsValid(i) {
		if t, ok := pipeline.ParseTimestamp(upd.Value(i)); ok {
			return t.UnixMicro()
		}
	}
	return math.MinInt64
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

// Close releases whatever the filter still holds and removes its spill file
// (after an error, or when Finish was never called). It is idempotent.
func (f *Filter) Close() {
	f.store.close()
	f.winners = nil
}
