package filter_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/pipeline"
	"github.com/actsync/actsync/stages/filter"
)

// row is one input row as extract yields it. An empty string is NULL, as in
// pipeline.RawSchema (extract never yields an empty value).
type row struct {
	ID      int64
	File    int32
	Line    int64
	Updated string
	Owner   string
	Email   string
}

// key names one input row by provenance.
type key struct {
	ID   int64
	File int32
	Line int64
}

// exclusion is one row of Ledger.Exclusions.
type exclusion struct {
	ID     int64
	Reason string
	File   int32
	Line   int64
}

// rawBatch builds a pipeline.RawSchema batch from rows; the caller releases
// it. Columns that row has no field for are NULL.
func rawBatch(t testing.TB, mem memory.Allocator, rows []row) arrow.RecordBatch {
	t.Helper()
	b := array.NewRecordBuilder(mem, pipeline.RawSchema)
	defer b.Release()
	for _, r := range rows {
		for i, f := range pipeline.RawSchema.Fields() {
			switch fb := b.Field(i).(type) {
			case *array.Int64Builder:
				switch f.Name {
				case pipeline.ColMarketoID:
					fb.Append(r.ID)
				case pipeline.ColLine:
					fb.Append(r.Line)
				default:
					t.Fatalf("unexpected int64 column %s", f.Name)
				}
			case *array.Int32Builder:
				fb.Append(r.File)
			case *array.StringBuilder:
				var v string
				switch f.Name {
				case pipeline.ColUpdatedAt:
					v = r.Updated
				case pipeline.ColSalesOwnerID:
					v = r.Owner
				case pipeline.ColEmail:
					v = r.Email
				}
				if v == "" {
					fb.AppendNull()
				} else {
					fb.Append(v)
				}
			default:
				t.Fatalf("unexpected builder %T for %s", fb, f.Name)
			}
		}
	}
	return b.NewRecordBatch()
}

// renderRows reads a RawSchema batch back into rows.
func renderRows(t testing.TB, b arrow.RecordBatch) []row {
	t.Helper()
	if !b.Schema().Equal(pipeline.RawSchema) {
		t.Fatalf("schema = %s, want pipeline.RawSchema", b.Schema())
	}
	col := func(name string) arrow.Array { return b.Column(pipeline.RawIndex(name)) }
	str := func(name string, i int) string {
		a := col(name).(*array.String)
		if a.IsNull(i) {
			return ""
		}
		return a.Value(i)
	}
	out := make([]row, b.NumRows())
	for i := range out {
		out[i] = row{
			ID:      col(pipeline.ColMarketoID).(*array.Int64).Value(i),
			File:    col(pipeline.ColFile).(*array.Int32).Value(i),
			Line:    col(pipeline.ColLine).(*array.Int64).Value(i),
			Updated: str(pipeline.ColUpdatedAt, i),
			Owner:   str(pipeline.ColSalesOwnerID, i),
			Email:   str(pipeline.ColEmail, i),
		}
	}
	return out
}

func renderExclusions(t testing.TB, b arrow.RecordBatch) []exclusion {
	t.Helper()
	if !b.Schema().Equal(pipeline.ExclusionSchema) {
		t.Fatalf("exclusion schema = %s, want pipeline.ExclusionSchema", b.Schema())
	}
	out := make([]exclusion, b.NumRows())
	for i := range out {
		out[i] = exclusion{
			ID:     b.Column(0).(*array.Int64).Value(i),
			Reason: b.Column(1).(*array.String).Value(i),
			File:   b.Column(2).(*array.Int32).Value(i),
			Line:   b.Column(3).(*array.Int64).Value(i),
		}
	}
	return out
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

// runFilter feeds batches (in that order) to a new Filter and checks what
// every row became. It owns the whole lifecycle, so each call is a full
// checked-allocator round.
func runFilter(t *testing.T, batches [][]row) filterResult {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ledger := pipeline.NewLedger(mem)
	defer ledger.Close()
	f := filter.New(mem, ledger)
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

	outs, err := f.Finish(ctx)
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	var res filterResult
	for _, b := range outs {
		if b.NumRows() == 0 {
			t.Errorf("Finish returned an empty batch")
		}
		for _, r := range renderRows(t, b) {
			k := key{r.ID, r.File, r.Line}
			if in, ok := byKey[k]; !ok || in != r {
				t.Errorf("kept row %+v does not match input row %+v", r, in)
			}
			res.kept = append(res.kept, k)
		}
		b.Release()
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
			// nor on the order of rows inside a batch.
			for _, perm := range permutations(len(tt.batches)) {
				for _, reversed := range []bool{false, true} {
					batches := make([][]row, len(perm))
					for i, p := range perm {
						batches[i] = slices.Clone(tt.batches[p])
						if reversed {
							slices.Reverse(batches[i])
						}
					}
					order := fmt.Sprintf("order %v reversed %v", perm, reversed)
					res := runFilter(t, batches)
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

func TestFinishWithoutBatches(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ledger := pipeline.NewLedger(mem)
	defer ledger.Close()
	f := filter.New(mem, ledger)
	defer f.Close()

	out, err := f.Finish(context.Background())
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	if len(out) != 0 {
		for _, b := range out {
			b.Release()
		}
		t.Fatalf("Finish returned %d batches, want none", len(out))
	}
	var r pipeline.Report
	f.Report(&r)
	if r.Rows.Superseded != 0 {
		t.Errorf("superseded = %d, want 0", r.Rows.Superseded)
	}
	if ex := ledger.Excluded(); len(ex) != 0 {
		t.Errorf("exclusions = %v, want none", ex)
	}
}

// The kept batches are allocated from the filter's allocator, so the checked
// allocator in the other tests proves the caller releases them.
func TestFinishAllocatesFromMem(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ledger := pipeline.NewLedger(mem)
	f := filter.New(mem, ledger)
	defer f.Close()
	in := rawBatch(t, mem, []row{
		{ID: 1, File: 0, Line: 1, Owner: user1, Email: "a@example.com"},
		{ID: 2, File: 0, Line: 2, Owner: user2, Email: "b@example.com"},
	})
	if _, err := f.Process(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	in.Release()
	out, err := f.Finish(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ledger.Close()
	// The filter has released its input; only the output remains.
	if got := mem.CurrentAlloc(); got == 0 {
		t.Errorf("output batches not allocated from the stage's allocator")
	}
	for _, b := range out {
		b.Release()
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
	for n := 0; n <= 8; n++ {
		t.Run(fmt.Sprintf("after %d checks", n), func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			ledger := pipeline.NewLedger(mem)
			defer ledger.Close()
			f := filter.New(mem, ledger)
			for _, rows := range batches {
				in := rawBatch(t, mem, rows)
				if _, err := f.Process(context.Background(), in); err != nil {
					t.Fatal(err)
				}
				in.Release()
			}
			ctx := &countdownCtx{Context: context.Background()}
			ctx.n.Store(int64(n))
			out, err := f.Finish(ctx)
			switch {
			case err == nil:
				// Not cancelled in time: a normal result.
				var rows int64
				for _, b := range out {
					rows += b.NumRows()
					b.Release()
				}
				if rows != 2 {
					t.Errorf("kept %d rows, want 2", rows)
				}
			case errors.Is(err, context.Canceled):
				if out != nil {
					t.Errorf("Finish returned %d batches with an error", len(out))
				}
			default:
				t.Errorf("Finish: %v, want context.Canceled", err)
			}
			f.Close()
		})
	}
	// A context cancelled before Finish starts.
	t.Run("cancelled before", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		ledger := pipeline.NewLedger(mem)
		defer ledger.Close()
		f := filter.New(mem, ledger)
		defer f.Close()
		for _, rows := range batches {
			in := rawBatch(t, mem, rows)
			if _, err := f.Process(context.Background(), in); err != nil {
				t.Fatal(err)
			}
			in.Release()
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		out, err := f.Finish(ctx)
		if !errors.Is(err, context.Canceled) || out != nil {
			t.Fatalf("Finish = %d batches, %v; want nil, context.Canceled", len(out), err)
		}
	})
}

// Close without Finish (the runner's path when extract fails) releases every
// held batch.
func TestCloseWithoutFinish(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ledger := pipeline.NewLedger(mem)
	defer ledger.Close()
	f := filter.New(mem, ledger)
	for i := range 3 {
		in := rawBatch(t, mem, []row{{ID: int64(i), File: int32(i), Line: 1, Owner: user1}})
		if _, err := f.Process(context.Background(), in); err != nil {
			t.Fatal(err)
		}
		in.Release()
	}
	f.Close()
	f.Close() // idempotent
}

// Filter accepts slices of a larger batch (offsets into shared buffers).
func TestFilterSlicedInput(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ledger := pipeline.NewLedger(mem)
	defer ledger.Close()
	f := filter.New(mem, ledger)
	defer f.Close()
	full := rawBatch(t, mem, []row{
		{ID: 1, File: 0, Line: 1, Owner: user1, Email: "one@example.com"},
		{ID: 2, File: 0, Line: 2, Updated: "2024-01-01T00:00:00Z", Owner: user1, Email: "two-old@example.com"},
		{ID: 3, File: 0, Line: 3, Owner: queue1},
		{ID: 2, File: 0, Line: 4, Updated: "2024-01-02T00:00:00Z", Owner: user2, Email: "two-new@example.com"},
	})
	for _, r := range [][2]int64{{1, 3}, {3, 4}} {
		s := full.NewSlice(r[0], r[1])
		if _, err := f.Process(context.Background(), s); err != nil {
			t.Fatal(err)
		}
		s.Release()
	}
	full.Release()
	out, err := f.Finish(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []row
	for _, b := range out {
		got = append(got, renderRows(t, b)...)
		b.Release()
	}
	want := []row{{ID: 2, File: 0, Line: 4, Updated: "2024-01-02T00:00:00Z", Owner: user2, Email: "two-new@example.com"}}
	if !slices.Equal(got, want) {
		t.Errorf("kept %+v, want %+v", got, want)
	}
	ex := ledger.Exclusions()
	defer ex.Release()
	if got, want := renderExclusions(t, ex), []exclusion{{3, pipeline.ReasonOwnerIsQueue, 0, 3}}; !slices.Equal(got, want) {
		t.Errorf("excluded %v, want %v", got, want)
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

func BenchmarkFilter(b *testing.B) {
	const n, batchRows = 100_000, 32 * 1024
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(b, 0)
	rows := benchRows(n)
	var batches []arrow.RecordBatch
	for lo := 0; lo < n; lo += batchRows {
		batches = append(batches, rawBatch(b, mem, rows[lo:min(lo+batchRows, n)]))
	}
	defer func() {
		for _, in := range batches {
			in.Release()
		}
	}()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	iters := 0
	for b.Loop() {
		iters++
		ledger := pipeline.NewLedger(mem)
		f := filter.New(mem, ledger)
		for _, in := range batches {
			if _, err := f.Process(ctx, in); err != nil {
				b.Fatal(err)
			}
		}
		out, err := f.Finish(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range out {
			o.Release()
		}
		f.Close()
		ledger.Close()
	}
	b.ReportMetric(float64(n*iters)/b.Elapsed().Seconds(), "rows/s")
}
