package filter_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/internal/pipelinetest"
	"github.com/actsync/actsync/pipeline"
	"github.com/actsync/actsync/stages/filter"
)

// row is one input row as extract yields it. An empty string is NULL, as in
// pipeline.RawSchema (extract never yields an empty value); columns row has
// no field for are NULL.
type row struct {
	ID      int64  `column:"marketo_id"`
	File    int32  `column:"source_file"`
	Line    int64  `column:"source_line"`
	Updated string `column:"updated_at"`
	Owner   string `column:"sales_owner_id"`
	Email   string `column:"email"`
}

// key names one input row by provenance.
type key struct {
	ID   int64
	File int32
	Line int64
}

// exclusion is one row of Ledger.Exclusions.
type exclusion struct {
	ID     int64  `column:"marketo_id"`
	Reason string `column:"reason"`
	File   int32  `column:"source_file"`
	Line   int64  `column:"source_line"`
}

// rawBatch builds a pipeline.RawSchema batch from rows; the caller releases
// it.
func rawBatch(t testing.TB, mem memory.Allocator, rows []row) arrow.RecordBatch {
	t.Helper()
	return pipelinetest.Batch(t, mem, pipeline.RawSchema, rows)
}

// renderRows reads a RawSchema batch back into rows.
func renderRows(t testing.TB, b arrow.RecordBatch) []row {
	t.Helper()
	return pipelinetest.Rows[row](t, pipeline.RawSchema, b)
}

func renderExclusions(t testing.TB, b arrow.RecordBatch) []exclusion {
	t.Helper()
	return pipelinetest.Rows[exclusion](t, pipeline.ExclusionSchema, b)
}

func cmpKey(a, b key) int {
	if a.ID != b.ID {
		return int(a.ID - b.ID)
	}
	if a.File != b.File {
		return int(a.File - b.File)
	}
	return int(a.Line - b.Line)
}

func cmpExclusion(a, b exclusion) int {
	return cmpKey(key{a.ID, a.File, a.Line}, key{b.ID, b.File, b.Line})
}

// permutations returns every order of 0..n-1.
func permutations(n int) [][]int {
	if n == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := slices.Insert(slices.Clone(p), i, n-1)
			out = append(out, q)
		}
	}
	return out
}

// Salesforce ids used as owners.
const (
	user1  = "0055f000001AbCd"    // 15-char user
	user2  = "0055f000002XyZwAAI" // 18-char user
	queue1 = "00G5f000003QuEu"    // 15-char queue
	queue2 = "00G5f000004QuEuAAE" // 18-char queue
)

type filterResult struct {
	kept       []key
	excluded   []exclusion
	superseded int64
	report     pipeline.Report
}

// modes are the two ways a Filter holds a run: in memory, and spilled to a
// file in a directory. Every behaviour test runs in both.
var modes = []struct {
	name  string
	spill bool
}{{"memory", false}, {"spill", true}}

// options returns the Options of a mode, with a fresh spill directory.
func options(t testing.TB, spill bool) filter.Options {
	if !spill {
		return filter.Options{}
	}
	return filter.Options{SpillDir: t.TempDir()}
}

// newFilter returns a filter, spilling or not, on a new ledger, with its
// allocator and spill directory. When t ends the filter is closed, and
// then the spill directory must hold no file.
func newFilter(t testing.TB, spill bool) (*memory.CheckedAllocator, *filter.Filter, string) {
	t.Helper()
	mem, ledger := pipelinetest.NewLedger(t)
	opts := options(t, spill)
	t.Cleanup(func() { assertEmptyDir(t, opts.SpillDir) })
	f := filter.New(mem, ledger, opts)
	t.Cleanup(f.Close)
	return mem, f, opts.SpillDir
}

// assertEmptyDir fails unless dir (a spill directory) holds no file.
func assertEmptyDir(t testing.TB, dir string) {
	t.Helper()
	if dir == "" {
		return
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		t.Errorf("left in the spill directory: %s", e.Name())
	}
}

// finishAll runs Finish and returns the rows it emitted, checking that no
// emitted batch is empty.
func finishAll(t testing.TB, ctx context.Context, f *filter.Filter) ([]row, error) {
	t.Helper()
	var out []row
	err := f.Finish(ctx, func(b arrow.RecordBatch) error {
		if b.NumRows() == 0 {
			t.Errorf("Finish emitted an empty batch")
		}
		out = append(out, renderRows(t, b)...)
		return nil
	})
	return out, err
}

// runFilter feeds batches (in that order) to a new Filter and checks what
// every row became. It owns the whole lifecycle: each call has its own
// checked allocator, checked when t ends, and a spilling filter must leave
// its directory empty.
func runFilter(t *testing.T, batches [][]row, spill bool) filterResult {
	t.Helper()
	mem, ledger := pipelinetest.NewLedger(t)
	opts := options(t, spill)
	defer assertEmptyDir(t, opts.SpillDir)
	f := filter.New(mem, ledger, opts)
	defer f.Close()
	ctx := context.Background()

	byKey := map[key]row{}
	var read int64
	for _, rows := range batches {
		for _, r := range rows {
			byKey[key{r.ID, r.File, r.Line}] = r
		}
		in := rawBatch(t, mem, rows)
		out, err := f.Process(ctx, in)
		in.Release() // the filter retained what it needs
		if err != nil {
			t.Fatalf("Process: %v", err)
		}
		if out != nil {
			out.Release()
			t.Fatalf("Process returned a batch; filter must hold every row until Finish")
		}
		read += int64(len(rows))
	}

	kept, err := finishAll(t, ctx, f)
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	assertEmptyDir(t, opts.SpillDir)
	var res filterResult
	for _, r := range kept {
		k := key{r.ID, r.File, r.Line}
		if in, ok := byKey[k]; !ok || in != r {
			t.Errorf("kept row %+v does not match input row %+v", r, in)
		}
		res.kept = append(res.kept, k)
	}
	ex := ledger.Exclusions()
	res.excluded = renderExclusions(t, ex)
	ex.Release()
	slices.SortFunc(res.kept, cmpKey)
	slices.SortFunc(res.excluded, cmpExclusion)

	f.Report(&res.report)
	res.superseded = res.report.Rows.Superseded
	res.report.Rows.Read = read
	res.report.Rows.Synced = int64(len(res.kept))
	for _, n := range ledger.Excluded() {
		res.report.Rows.Excluded += n
	}
	return res
}

func TestFilter(t *testing.T) {
	tests := []struct {
		name       string
		batches    [][]row
		kept       []key
		excluded   []exclusion
		superseded int64
	}{
		{
			name: "one row per person",
			batches: [][]row{{
				{ID: 1, File: 0, Line: 2, Updated: "2024-01-01T00:00:00Z", Owner: user1, Email: "a@example.com"},
				{ID: 2, File: 0, Line: 3, Owner: user2},
				{ID: 3, File: 0, Line: 4, Updated: "garbage", Owner: "rep@example.com"},
			}},
			kept: []key{{1, 0, 2}, {2, 0, 3}, {3, 0, 4}},
		},
		{
			name: "newest updatedAt wins across batches and files",
			batches: [][]row{
				{
					{ID: 10, File: 0, Line: 2, Updated: "2024-01-01T00:00:00Z", Owner: user1, Email: "old@example.com"},
					{ID: 10, File: 0, Line: 9, Updated: "2024-02-01T00:00:00Z", Owner: user1, Email: "mid@example.com"},
				},
				{
					{ID: 10, File: 1, Line: 5, Updated: "2024-03-01T00:00:00Z", Owner: user2, Email: "new@example.com"},
				},
			},
			kept:       []key{{10, 1, 5}},
			superseded: 2,
		},
		{
			name: "newest wins even at an earlier file and line",
			batches: [][]row{
				{{ID: 11, File: 0, Line: 1, Updated: "2024-06-01T00:00:00Z", Owner: user1}},
				{{ID: 11, File: 1, Line: 7, Updated: "2024-05-01T00:00:00Z", Owner: user1}},
				{{ID: 11, File: 2, Line: 3, Updated: "2024-05-31T23:59:59.999999Z", Owner: user1}},
			},
			kept:       []key{{11, 0, 1}},
			superseded: 2,
		},
		{
			name: "updatedAt compared as instants, not as text",
			batches: [][]row{
				{{ID: 12, File: 0, Line: 1, Updated: "2024-01-01T09:00:00Z", Owner: user1}},
				{
					// 08:00Z, sorts after the winner as text.
					{ID: 12, File: 1, Line: 1, Updated: "2024-01-01T10:00:00+02:00", Owner: user1},
					{ID: 12, File: 1, Line: 2, Updated: "2024-01-01T08:59:59.999+0000", Owner: user1},
					{ID: 12, File: 1, Line: 3, Updated: "2024-01-01 08:30:00", Owner: user1},
				},
			},
			kept:       []key{{12, 0, 1}},
			superseded: 3,
		},
		{
			name: "equal updatedAt: later file then later line wins, in any feed order",
			batches: [][]row{
				{
					{ID: 20, File: 0, Line: 50, Updated: "2024-01-01T00:00:00Z", Owner: user1},
					{ID: 21, File: 2, Line: 7, Updated: "2024-01-01T00:00:00Z", Owner: user1},
				},
				{
					{ID: 20, File: 1, Line: 3, Updated: "2024-01-01T00:00:00Z", Owner: user2},
					{ID: 21, File: 2, Line: 4, Updated: "2024-01-01T00:00:00Z", Owner: user2},
				},
				{
					// The same instant spelled two ways is a tie.
					{ID: 22, File: 3, Line: 9, Updated: "2024-01-01T10:00:00+02:00", Owner: user1},
					{ID: 22, File: 3, Line: 10, Updated: "2024-01-01T08:00:00Z", Owner: user2},
				},
			},
			kept:       []key{{20, 1, 3}, {21, 2, 7}, {22, 3, 10}},
			superseded: 3,
		},
		{
			name: "missing or unparseable updatedAt counts as oldest",
			batches: [][]row{
				{
					{ID: 30, File: 0, Line: 1, Updated: "2020-01-01T00:00:00Z", Owner: user1},
					{ID: 31, File: 0, Line: 5, Owner: user1},
				},
				{
					{ID: 30, File: 1, Line: 1, Owner: user2},
					{ID: 30, File: 1, Line: 2, Updated: "yesterday", Owner: user2},
					{ID: 31, File: 0, Line: 6, Updated: "not a date", Owner: user2},
				},
			},
			// Two rows without a readable time tie: the later row wins.
			kept:       []key{{30, 0, 1}, {31, 0, 6}},
			superseded: 3,
		},
		{
			name: "newest row without owner excludes the person",
			batches: [][]row{
				{{ID: 40, File: 0, Line: 1, Updated: "2024-01-01T00:00:00Z", Owner: user1}},
				{{ID: 40, File: 0, Line: 2, Updated: "2024-02-01T00:00:00Z"}},
			},
			excluded:   []exclusion{{40, pipeline.ReasonNoSalesOwner, 0, 2}},
			superseded: 1,
		},
		{
			name: "newest row with a user syncs though an older had none",
			batches: [][]row{
				{{ID: 41, File: 0, Line: 1, Updated: "2024-01-01T00:00:00Z"}},
				{{ID: 41, File: 0, Line: 2, Updated: "2024-02-01T00:00:00Z", Owner: user1}},
			},
			kept:       []key{{41, 0, 2}},
			superseded: 1,
		},
		{
			name: "queue owner is not a sales owner",
			batches: [][]row{{
				{ID: 50, File: 0, Line: 1, Owner: queue1},
				{ID: 51, File: 0, Line: 2, Updated: "2024-01-01T00:00:00Z", Owner: user1},
				{ID: 51, File: 0, Line: 3, Updated: "2024-02-01T00:00:00Z", Owner: queue2},
				{ID: 52, File: 0, Line: 4, Updated: "2024-01-01T00:00:00Z", Owner: queue2},
				{ID: 52, File: 0, Line: 5, Updated: "2024-02-01T00:00:00Z", Owner: user2},
			}},
			kept: []key{{52, 0, 5}},
			excluded: []exclusion{
				{50, pipeline.ReasonOwnerIsQueue, 0, 1},
				{51, pipeline.ReasonOwnerIsQueue, 0, 3},
			},
			superseded: 2,
		},
		{
			name: "owner email is a user",
			batches: [][]row{{
				{ID: 60, File: 0, Line: 1, Owner: "rep@example.com"},
				{ID: 61, File: 0, Line: 2, Owner: "00Gordon.Lee@example.com"},
				{ID: 62, File: 0, Line: 3, Owner: "00g5f000003quEu"}, // not the 00G key prefix
			}},
			kept: []key{{60, 0, 1}, {61, 0, 2}, {62, 0, 3}},
		},
		{
			name: "empty batches are held and dropped",
			batches: [][]row{
				{},
				{{ID: 70, File: 0, Line: 1, Owner: user1}},
				{},
			},
			kept: []key{{70, 0, 1}},
		},
		{
			name: "every row of a batch superseded or excluded",
			batches: [][]row{
				{
					{ID: 80, File: 0, Line: 1, Updated: "2024-01-01T00:00:00Z", Owner: user1},
					{ID: 81, File: 0, Line: 2, Updated: "2024-01-01T00:00:00Z", Owner: user1},
					{ID: 82, File: 0, Line: 3},
				},
				{
					{ID: 80, File: 1, Line: 1, Updated: "2024-01-02T00:00:00Z", Owner: user1},
					{ID: 81, File: 1, Line: 2, Updated: "2024-01-02T00:00:00Z"},
					{ID: 80, File: 1, Line: 3, Updated: "2024-01-01T12:00:00Z", Owner: user2},
					{ID: 81, File: 1, Line: 4, Owner: user2},
				},
			},
			kept: []key{{80, 1, 1}},
			excluded: []exclusion{
				{81, pipeline.ReasonNoSalesOwner, 1, 2},
				{82, pipeline.ReasonNoSalesOwner, 0, 3},
			},
			superseded: 4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Rows minus distinct ids is what superseded must count.
			ids := map[int64]bool{}
			var rows int64
			for _, b := range tt.batches {
				for _, r := range b {
					ids[r.ID] = true
					rows++
				}
			}
			if want := rows - int64(len(ids)); tt.superseded != want {
				t.Fatalf("bad test: superseded %d, rows - distinct ids = %d", tt.superseded, want)
			}

			// The outcome must not depend on the order batches arrive in
			// nor on the order of rows inside a batch, nor on where the
			// filter holds them.
			for _, perm := range permutations(len(tt.batches)) {
				for _, reversed := range []bool{false, true} {
					for _, mode := range modes {
						batches := make([][]row, len(perm))
						for i, p := range perm {
							batches[i] = slices.Clone(tt.batches[p])
							if reversed {
								slices.Reverse(batches[i])
							}
						}
						order := fmt.Sprintf("%s: order %v reversed %v", mode.name, perm, reversed)
						res := runFilter(t, batches, mode.spill)
						if !slices.Equal(res.kept, tt.kept) {
							t.Errorf("%s: kept %v, want %v", order, res.kept, tt.kept)
						}
						if !slices.Equal(res.excluded, tt.excluded) {
							t.Errorf("%s: excluded %v, want %v", order, res.excluded, tt.excluded)
						}
						if res.superseded != tt.superseded {
							t.Errorf("%s: superseded %d, want %d", order, res.superseded, tt.superseded)
						}
						if !res.report.Rows.Balanced() {
							t.Errorf("%s: rows do not balance: %+v", order, res.report.Rows)
						}
					}
				}
			}
		})
	}
}

func TestEligibility(t *testing.T) {
	tests := []struct {
		owner string // "" is NULL
		want  string
	}{
		{"", pipeline.ReasonNoSalesOwner},
		{user1, ""},
		{user2, ""},
		{queue1, pipeline.ReasonOwnerIsQueue},
		{queue2, pipeline.ReasonOwnerIsQueue},
		{"rep@example.com", ""},
		{"00Gordon.Lee@example.com", ""},
		{"00g5f000003quEu", ""},
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := array.NewStringBuilder(mem)
	defer b.Release()
	for _, tt := range tests {
		if tt.owner == "" {
			b.AppendNull()
		} else {
			b.Append(tt.owner)
		}
	}
	owners := b.NewStringArray()
	defer owners.Release()
	for i, tt := range tests {
		if got := filter.Eligibility(owners, i); got != tt.want {
			t.Errorf("Eligibility(%q) = %q, want %q", tt.owner, got, tt.want)
		}
	}
}

// process feeds each rows slice to f as one batch, releasing it after: the
// filter keeps only what it retains or spills.
func process(t testing.TB, mem memory.Allocator, f *filter.Filter, batches [][]row) {
	t.Helper()
	for _, rows := range batches {
		in := rawBatch(t, mem, rows)
		out, err := f.Process(context.Background(), in)
		in.Release()
		if err != nil {
			t.Fatalf("Process: %v", err)
		}
		if out != nil {
			out.Release()
			t.Fatalf("Process returned a batch")
		}
	}
}

func TestFinishWithoutBatches(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			mem, ledger := pipelinetest.NewLedger(t)
			opts := options(t, mode.spill)
			f := filter.New(mem, ledger, opts)
			defer f.Close()

			out, err := finishAll(t, context.Background(), f)
			if err != nil {
				t.Fatalf("Finish: %v", err)
			}
			if len(out) != 0 {
				t.Fatalf("Finish emitted %d rows, want none", len(out))
			}
			assertEmptyDir(t, opts.SpillDir)
			var r pipeline.Report
			f.Report(&r)
			if r.Rows.Superseded != 0 {
				t.Errorf("superseded = %d, want 0", r.Rows.Superseded)
			}
			if ex := ledger.Excluded(); len(ex) != 0 {
				t.Errorf("exclusions = %v, want none", ex)
			}
		})
	}
}

// A spilling filter holds no batch between Process and Finish; what Finish
// emits is read back from the spill file into the filter's allocator. The
// file lives in SpillDir only, until Finish.
func TestSpill(t *testing.T) {
	mem, ledger := pipelinetest.NewLedger(t)
	dir := t.TempDir()
	f := filter.New(mem, ledger, filter.Options{SpillDir: dir})
	defer f.Close()
	before := mem.CurrentAlloc()
	process(t, mem, f, [][]row{
		{{ID: 1, File: 0, Line: 1, Owner: user1, Email: "a@example.com"}, {ID: 2, File: 0, Line: 2}},
		{{ID: 3, File: 1, Line: 1, Owner: user2, Email: "c@example.com"}},
	})
	if got := mem.CurrentAlloc(); got != before {
		t.Errorf("spilling filter holds %d bytes of Arrow memory after Process, want %d", got, before)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 {
		t.Fatalf("spill directory holds %d entries, want one file", len(ents))
	}
	if fi, err := ents[0].Info(); err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("spill file %s: mode %v, %v; want private to its owner", ents[0].Name(), fi.Mode(), err)
	}
	var got []row
	err = f.Finish(context.Background(), func(b arrow.RecordBatch) error {
		if mem.CurrentAlloc() == before {
			t.Errorf("emitted batch not allocated from the stage's allocator")
		}
		got = append(got, renderRows(t, b)...)
		return nil
	})
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	want := []row{{ID: 1, File: 0, Line: 1, Owner: user1, Email: "a@example.com"}, {ID: 3, File: 1, Line: 1, Owner: user2, Email: "c@example.com"}}
	if !slices.Equal(got, want) {
		t.Errorf("kept %+v, want %+v", got, want)
	}
	assertEmptyDir(t, dir)
}

// A spill directory that cannot be written fails Process, and Close cleans
// up after it.
func TestSpillDirMissing(t *testing.T) {
	mem, ledger := pipelinetest.NewLedger(t)
	f := filter.New(mem, ledger, filter.Options{SpillDir: filepath.Join(t.TempDir(), "gone")})
	defer f.Close()
	in := rawBatch(t, mem, []row{{ID: 1, File: 0, Line: 1, Owner: user1}})
	defer in.Release()
	if _, err := f.Process(context.Background(), in); err == nil {
		t.Fatal("Process into a missing spill directory succeeded")
	}
}

// countdownCtx is a context whose Err reports cancellation after n calls,
// to cancel Finish at every point where it looks.
type countdownCtx struct {
	context.Context
	n atomic.Int64
}

func (c *countdownCtx) Err() error {
	if c.n.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

func TestFinishCancelled(t *testing.T) {
	batches := [][]row{
		{{ID: 1, File: 0, Line: 1, Owner: user1}, {ID: 2, File: 0, Line: 2}},
		{{ID: 3, File: 1, Line: 1, Owner: user2}},
		{{ID: 1, File: 2, Line: 1, Updated: "2024-01-01T00:00:00Z", Owner: user1}},
	}
	for _, mode := range modes {
		for n := 0; n <= 8; n++ {
			t.Run(fmt.Sprintf("%s after %d checks", mode.name, n), func(t *testing.T) {
				mem, f, spillDir := newFilter(t, mode.spill)
				process(t, mem, f, batches)
				ctx := &countdownCtx{Context: context.Background()}
				ctx.n.Store(int64(n))
				rows, err := finishAll(t, ctx, f)
				switch {
				case err == nil:
					// Not cancelled in time: a normal result.
					if len(rows) != 2 {
						t.Errorf("kept %d rows, want 2", len(rows))
					}
				case !errors.Is(err, context.Canceled):
					t.Errorf("Finish: %v, want context.Canceled", err)
				}
				// Finish has released and removed everything already.
				assertEmptyDir(t, spillDir)
			})
		}
		// A context cancelled before Finish starts.
		t.Run(mode.name+" cancelled before", func(t *testing.T) {
			mem, f, _ := newFilter(t, mode.spill)
			process(t, mem, f, batches)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			rows, err := finishAll(t, ctx, f)
			if !errors.Is(err, context.Canceled) || rows != nil {
				t.Fatalf("Finish = %d rows, %v; want none, context.Canceled", len(rows), err)
			}
		})
		// Cancelled by the consumer while Finish streams: Finish stops,
		// emits nothing more and releases what it held.
		t.Run(mode.name+" cancelled by emit", func(t *testing.T) {
			mem, f, spillDir := newFilter(t, mode.spill)
			process(t, mem, f, batches)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			calls := 0
			err := f.Finish(ctx, func(arrow.RecordBatch) error {
				calls++
				cancel()
				return nil
			})
			if !errors.Is(err, context.Canceled) || calls != 1 {
				t.Fatalf("Finish = %v after %d emits; want context.Canceled after 1", err, calls)
			}
			assertEmptyDir(t, spillDir)
		})
	}
}

// Finish stops at the first error of emit and returns it unchanged.
func TestFinishEmitError(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			mem, f, _ := newFilter(t, mode.spill)
			process(t, mem, f, [][]row{
				{{ID: 1, File: 0, Line: 1, Owner: user1}},
				{{ID: 2, File: 0, Line: 2, Owner: user1}},
			})
			errLoad := errors.New("load failed")
			calls := 0
			err := f.Finish(context.Background(), func(arrow.RecordBatch) error {
				calls++
				return errLoad
			})
			if err != errLoad || calls != 1 {
				t.Errorf("Finish = %v after %d emits; want %v after 1", err, calls, errLoad)
			}
		})
	}
}

// Close without Finish (the runner's path when extract fails) releases every
// held batch and removes the spill file.
func TestCloseWithoutFinish(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			mem, ledger := pipelinetest.NewLedger(t)
			opts := options(t, mode.spill)
			f := filter.New(mem, ledger, opts)
			for i := range 3 {
				process(t, mem, f, [][]row{{{ID: int64(i), File: int32(i), Line: 1, Owner: user1}}})
			}
			f.Close()
			f.Close() // idempotent
			assertEmptyDir(t, opts.SpillDir)
		})
	}
}

// Filter accepts slices of a larger batch (offsets into shared buffers).
func TestFilterSlicedInput(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			mem, ledger := pipelinetest.NewLedger(t)
			f := filter.New(mem, ledger, options(t, mode.spill))
			defer f.Close()
			full := rawBatch(t, mem, []row{
				{ID: 1, File: 0, Line: 1, Owner: user1, Email: "one@example.com"},
				{ID: 2, File: 0, Line: 2, Updated: "2024-01-01T00:00:00Z", Owner: user1, Email: "two-old@example.com"},
				{ID: 3, File: 0, Line: 3, Owner: queue1},
				{ID: 2, File: 0, Line: 4, Updated: "2024-01-02T00:00:00Z", Owner: user2, Email: "two-new@example.com"},
				{ID: 4, File: 0, Line: 5, Owner: user2, Email: "four@example.com"},
			})
			for _, r := range [][2]int64{{1, 3}, {3, 5}} {
				s := full.NewSlice(r[0], r[1])
				if _, err := f.Process(context.Background(), s); err != nil {
					t.Fatal(err)
				}
				s.Release()
			}
			full.Release()
			got, err := finishAll(t, context.Background(), f)
			if err != nil {
				t.Fatal(err)
			}
			want := []row{
				{ID: 2, File: 0, Line: 4, Updated: "2024-01-02T00:00:00Z", Owner: user2, Email: "two-new@example.com"},
				{ID: 4, File: 0, Line: 5, Owner: user2, Email: "four@example.com"},
			}
			if !slices.Equal(got, want) {
				t.Errorf("kept %+v, want %+v", got, want)
			}
			ex := ledger.Exclusions()
			defer ex.Release()
			if got, want := renderExclusions(t, ex), []exclusion{{3, pipeline.ReasonOwnerIsQueue, 0, 3}}; !slices.Equal(got, want) {
				t.Errorf("excluded %v, want %v", got, want)
			}
		})
	}
}

// Provenance that does not fit the winner index is an error, not a wrong
// tie-break.
func TestProcessOutOfRange(t *testing.T) {
	mem, ledger := pipelinetest.NewLedger(t)
	ok := row{ID: 2, File: 0, Line: 1, Owner: user1}
	for _, r := range []row{{ID: 1, File: -1, Line: 1}, {ID: 1, File: 0, Line: 1 << 40}, {ID: 1, File: 1 << 24, Line: 1}} {
		f := filter.New(mem, ledger, filter.Options{})
		in := rawBatch(t, mem, []row{ok, r})
		if _, err := f.Process(context.Background(), in); err == nil {
			t.Errorf("Process(file %d line %d) succeeded", r.File, r.Line)
		}
		in.Release()
		// The index now holds rows of a batch the filter does not: it must
		// refuse to finish rather than panic or emit a wrong result.
		if rows, err := finishAll(t, context.Background(), f); err == nil {
			t.Errorf("Finish after a failed Process = %v, nil; want an error", rows)
		}
		f.Close()
	}
}

// benchRows returns n rows in which 5% of the rows repeat an earlier id, with
// the mix of owners and timestamps of a real export.
func benchRows(n int) []row {
	r := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := make([]row, n)
	distinct := n - n/20
	for i := range rows {
		id := int64(i + 1)
		if i >= distinct {
			id = r.Int64N(int64(distinct)) + 1
		}
		rw := row{
			ID:      id,
			File:    int32(i / 50000),
			Line:    int64(i%50000 + 2),
			Updated: base.Add(time.Duration(r.IntN(365*24*3600)) * time.Second).Format(time.RFC3339),
			Email:   fmt.Sprintf("person%d@example.com", id),
		}
		switch u := r.IntN(100); {
		case u < 70:
			rw.Owner = fmt.Sprintf("0055f%010d", r.IntN(240))
		case u < 80:
			rw.Owner = fmt.Sprintf("00G5f%010d", r.IntN(6))
		}
		rows[i] = rw
	}
	r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	return rows
}

// peakAllocator tracks the most Arrow memory allocated at once.
type peakAllocator struct {
	memory.Allocator
	cur, peak atomic.Int64
}

func (a *peakAllocator) add(n int) {
	if c := a.cur.Add(int64(n)); c > a.peak.Load() {
		a.peak.Store(c)
	}
}

func (a *peakAllocator) Allocate(n int) []byte { a.add(n); return a.Allocator.Allocate(n) }

func (a *peakAllocator) Reallocate(n int, b []byte) []byte {
	a.add(n - len(b))
	return a.Allocator.Reallocate(n, b)
}

func (a *peakAllocator) Free(b []byte) { a.add(-len(b)); a.Allocator.Free(b) }

// liveHeap is the Go heap in use after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkFilter runs 1,000,000 rows (5% repeated ids) through Process and
// Finish, holding them in memory and spilling them. Each input batch is
// built (untimed) from the filter's allocator and released after Process,
// as the runner does. peak-arrow-MB is the most Arrow memory alive at once;
// held-heap-MB is the live Go heap (index and held batches) once Process has
// seen every row, where the filter holds the most.
func BenchmarkFilter(b *testing.B) {
	const n, batchRows = 1_000_000, 32 * 1024
	rows := benchRows(n)
	for _, mode := range modes {
		b.Run(mode.name, func(b *testing.B) {
			ctx := context.Background()
			var peakArrow int64
			var held uint64
			b.ReportAllocs()
			iters := 0
			for b.Loop() {
				iters++
				b.StopTimer()
				mem := &peakAllocator{Allocator: memory.NewGoAllocator()}
				checked := memory.NewCheckedAllocator(mem)
				ledger := pipeline.NewLedger(checked)
				f := filter.New(checked, ledger, options(b, mode.spill))
				base := liveHeap()
				for lo := 0; lo < n; lo += batchRows {
					in := rawBatch(b, checked, rows[lo:min(lo+batchRows, n)])
					b.StartTimer()
					_, err := f.Process(ctx, in)
					b.StopTimer()
					in.Release()
					if err != nil {
						b.Fatal(err)
					}
				}
				held = max(held, liveHeap()-base)
				b.StartTimer()
				var kept int64
				err := f.Finish(ctx, func(out arrow.RecordBatch) error {
					kept += out.NumRows()
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				f.Close()
				ledger.Close()
				checked.AssertSize(b, 0)
				peakArrow = max(peakArrow, mem.peak.Load())
			}
			b.ReportMetric(float64(n*iters)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(peakArrow)/1e6, "peak-arrow-MB")
			b.ReportMetric(float64(held)/1e6, "held-heap-MB")
		})
	}
}

// BenchmarkWinnerIndex measures what the winner index costs per person: the
// Go heap retained after Process has seen 1,000,000 distinct ids, with the
// batches spilled so that nothing else stays.
func BenchmarkWinnerIndex(b *testing.B) {
	const n, batchRows = 1_000_000, 32 * 1024
	mem := memory.NewGoAllocator()
	rows := make([]row, n)
	for i := range rows {
		rows[i] = row{ID: int64(i + 1), File: 0, Line: int64(i + 2), Updated: "2024-01-01T00:00:00Z", Owner: user1}
	}
	var batches []arrow.RecordBatch
	for lo := 0; lo < n; lo += batchRows {
		batches = append(batches, rawBatch(b, mem, rows[lo:min(lo+batchRows, n)]))
	}
	rows = nil
	defer func() {
		for _, in := range batches {
			in.Release()
		}
	}()
	ctx := context.Background()
	var perPerson float64
	for b.Loop() {
		ledger := pipeline.NewLedger(mem)
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f := filter.New(mem, ledger, filter.Options{SpillDir: b.TempDir()})
		for _, in := range batches {
			if _, err := f.Process(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perPerson = float64(after.HeapAlloc-before.HeapAlloc) / n
		runtime.KeepAlive(f)
		f.Close()
		ledger.Close()
	}
	b.ReportMetric(perPerson, "B/person")
}
