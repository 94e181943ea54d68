package pipeline_test

import (
	"errors"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/internal/pipelinetest"
	"github.com/actsync/actsync/pipeline"
)

func renderRejects(t testing.TB, b arrow.RecordBatch) []pipeline.Reject {
	t.Helper()
	if !b.Schema().Equal(pipeline.RejectSchema) {
		t.Fatalf("schema = %s, want pipeline.RejectSchema", b.Schema())
	}
	out := make([]pipeline.Reject, b.NumRows())
	field := b.Column(3).(*array.String)
	for i := range out {
		out[i] = pipeline.Reject{
			File:   b.Column(0).(*array.Int32).Value(i),
			Line:   b.Column(1).(*array.Int64).Value(i),
			Reason: b.Column(2).(*array.String).Value(i),
			Detail: b.Column(4).(*array.String).Value(i),
			Raw:    b.Column(5).(*array.String).Value(i),
		}
		if field.IsValid(i) {
			out[i].Field = field.Value(i)
			if out[i].Field == "" {
				t.Errorf("reject %d: empty field name instead of NULL", i)
			}
		}
	}
	return out
}

type exclusion struct {
	ID     int64  `column:"marketo_id"`
	Reason string `column:"reason"`
	File   int32  `column:"source_file"`
	Line   int64  `column:"source_line"`
	// Updated is the updatedAt in µs, pipeline.NoTime for NULL.
	Updated int64 `column:"updated_at"`
}

func renderExclusions(t testing.TB, b arrow.RecordBatch) []exclusion {
	t.Helper()
	return pipelinetest.Rows[exclusion](t, pipeline.ExclusionSchema, b)
}

func TestLedger(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	l := pipeline.NewLedger(mem)
	defer l.Close()

	rejects := []pipeline.Reject{
		{File: 0, Line: 2, Reason: pipeline.ReasonMalformedRow, Detail: "wrong number of fields", Raw: `1,"Ana`},
		{File: 0, Line: 7, Reason: pipeline.ReasonInvalidSFDCID, Field: pipeline.ColSFDCLeadID, Detail: "sfdc_lead_id: bad", Raw: "00Q123"},
		{File: 1, Line: 3, Reason: pipeline.ReasonInvalidMarketoID, Detail: "id: not a positive integer", Raw: "abc,Bo"},
		{File: 1, Line: 4, Reason: pipeline.ReasonMalformedRow, Detail: "bare quote", Raw: `2,B"o`},
		{File: 1, Line: 9, Reason: pipeline.ReasonInvalidSFDCID, Field: pipeline.ColSFDCAccountID, Detail: "sfdc_account_id: bad", Raw: "001"},
		{File: 2, Line: 5, Reason: pipeline.ReasonInvalidUpdatedAt, Field: pipeline.ColUpdatedAt, Detail: "updated_at: bad", Raw: "yesterday"},
	}
	for _, r := range rejects {
		l.Reject(r)
	}
	exclusions := []exclusion{
		{10, pipeline.ReasonNoSalesOwner, 0, 3, 1_700_000_000_000_000},
		{11, pipeline.ReasonOwnerIsQueue, 0, 4, pipeline.NoTime},
		{12, pipeline.ReasonNoSalesOwner, 1, 8, 0},
	}
	for _, e := range exclusions {
		l.Exclude(e.ID, e.Reason, e.File, e.Line, e.Updated)
	}

	rows, fields := l.Counts()
	wantRows := map[string]int64{pipeline.ReasonMalformedRow: 2, pipeline.ReasonInvalidMarketoID: 1}
	wantFields := map[string]int64{pipeline.ReasonInvalidSFDCID: 2, pipeline.ReasonInvalidUpdatedAt: 1}
	if !maps.Equal(rows, wantRows) {
		t.Errorf("row rejects = %v, want %v", rows, wantRows)
	}
	if !maps.Equal(fields, wantFields) {
		t.Errorf("field rejects = %v, want %v", fields, wantFields)
	}
	// A field reject leaves its row in the flow: only row rejects count.
	if got := l.RejectedRows(); got != 3 {
		t.Errorf("RejectedRows = %d, want 3", got)
	}
	wantEx := map[string]int64{pipeline.ReasonNoSalesOwner: 2, pipeline.ReasonOwnerIsQueue: 1}
	if got := l.Excluded(); !maps.Equal(got, wantEx) {
		t.Errorf("Excluded = %v, want %v", got, wantEx)
	}

	// The counts are copies.
	rows[pipeline.ReasonMalformedRow] = 100
	l.Excluded()[pipeline.ReasonNoSalesOwner] = 100
	if rows, _ := l.Counts(); rows[pipeline.ReasonMalformedRow] != 2 {
		t.Errorf("Counts shares its map with the ledger")
	}
	if got := l.Excluded()[pipeline.ReasonNoSalesOwner]; got != 2 {
		t.Errorf("Excluded shares its map with the ledger")
	}

	rb := l.Rejects()
	if got := renderRejects(t, rb); !slices.Equal(got, rejects) {
		t.Errorf("Rejects:\n got %+v\nwant %+v", got, rejects)
	}
	rb.Release()
	eb := l.Exclusions()
	if got := renderExclusions(t, eb); !slices.Equal(got, exclusions) {
		t.Errorf("Exclusions = %+v, want %+v", got, exclusions)
	}
	eb.Release()

	// Taking the batches empties the builders but keeps the counts.
	rb = l.Rejects()
	eb = l.Exclusions()
	if rb.NumRows() != 0 || eb.NumRows() != 0 {
		t.Errorf("second Rejects/Exclusions = %d/%d rows, want 0/0", rb.NumRows(), eb.NumRows())
	}
	rb.Release()
	eb.Release()
	if got := l.RejectedRows(); got != 3 {
		t.Errorf("RejectedRows after Rejects = %d, want 3", got)
	}
	l.Reject(pipeline.Reject{File: 3, Line: 1, Reason: pipeline.ReasonMalformedRow, Raw: "x"})
	rb = l.Rejects()
	defer rb.Release()
	if got := renderRejects(t, rb); len(got) != 1 || got[0].Line != 1 || got[0].File != 3 {
		t.Errorf("Rejects after refill = %+v", got)
	}
}

func TestLedgerEmpty(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	l := pipeline.NewLedger(mem)
	defer l.Close()
	rb, eb := l.Rejects(), l.Exclusions()
	defer rb.Release()
	defer eb.Release()
	if rb.NumRows() != 0 || eb.NumRows() != 0 {
		t.Errorf("empty ledger: %d rejects, %d exclusions", rb.NumRows(), eb.NumRows())
	}
	renderRejects(t, rb)
	renderExclusions(t, eb)
	rows, fields := l.Counts()
	if len(rows)+len(fields) != 0 || l.RejectedRows() != 0 || len(l.Excluded()) != 0 {
		t.Errorf("empty ledger counts: %v %v %d %v", rows, fields, l.RejectedRows(), l.Excluded())
	}
}

// Stages record into one ledger from several goroutines.
func TestLedgerConcurrent(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	l := pipeline.NewLedger(mem)
	defer l.Close()
	const workers, each = 8, 200
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				l.Reject(pipeline.Reject{File: int32(w), Line: int64(i), Reason: pipeline.ReasonMalformedRow, Raw: "r"})
				l.Reject(pipeline.Reject{File: int32(w), Line: int64(i), Reason: pipeline.ReasonInvalidSFDCID, Field: pipeline.ColSFDCLeadID, Raw: "f"})
				l.Exclude(int64(w*each+i), pipeline.ReasonOwnerIsQueue, int32(w), int64(i), pipeline.NoTime)
				_, _ = l.Counts()
			}
		})
	}
	wg.Wait()
	rows, fields := l.Counts()
	if rows[pipeline.ReasonMalformedRow] != workers*each || fields[pipeline.ReasonInvalidSFDCID] != workers*each {
		t.Errorf("counts = %v %v, want %d each", rows, fields, workers*each)
	}
	if got := l.RejectedRows(); got != workers*each {
		t.Errorf("RejectedRows = %d, want %d", got, workers*each)
	}
	rb, eb := l.Rejects(), l.Exclusions()
	defer rb.Release()
	defer eb.Release()
	if rb.NumRows() != 2*workers*each || eb.NumRows() != workers*each {
		t.Errorf("batches hold %d rejects, %d exclusions", rb.NumRows(), eb.NumRows())
	}
	// Every column of a reject row was appended under the same lock: the
	// field is set exactly on the field-level rejects.
	for _, r := range renderRejects(t, rb) {
		if (r.Field != "") != (r.Reason == pipeline.ReasonInvalidSFDCID) {
			t.Errorf("torn reject %+v", r)
		}
	}
}

// batchRecorder is a pipeline.BatchWriter that keeps what it is given, or
// fails from the failAt-th batch on (1-based; 0 never fails).
type batchRecorder struct {
	t      *testing.T
	got    []exclusion
	sizes  []int64
	failAt int
}

func (w *batchRecorder) Write(b arrow.RecordBatch) error {
	w.sizes = append(w.sizes, b.NumRows())
	if w.failAt > 0 && len(w.sizes) >= w.failAt {
		return errors.New("disk full")
	}
	w.got = append(w.got, renderExclusions(w.t, b)...)
	return nil
}

func TestLedgerSpillExclusions(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	l := pipeline.NewLedger(mem)
	defer l.Close()
	w := &batchRecorder{t: t}
	l.SpillExclusions(w, 3)
	var want []exclusion
	for i := range 7 {
		e := exclusion{int64(100 + i), pipeline.ReasonNoSalesOwner, 0, int64(i + 2), int64(i)}
		want = append(want, e)
		l.Exclude(e.ID, e.Reason, e.File, e.Line, e.Updated)
	}
	// Two full batches went as they filled; the seventh row waits.
	if !slices.Equal(w.sizes, []int64{3, 3}) {
		t.Fatalf("batches before the flush = %v, want [3 3]", w.sizes)
	}
	if err := l.FlushExclusions(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(w.sizes, []int64{3, 3, 1}) {
		t.Errorf("batches after the flush = %v, want [3 3 1]", w.sizes)
	}
	if !slices.Equal(w.got, want) {
		t.Errorf("spilled exclusions:\n got %+v\nwant %+v", w.got, want)
	}
	// The counts are the ledger's, whatever went where.
	if got := l.Excluded()[pipeline.ReasonNoSalesOwner]; got != 7 {
		t.Errorf("Excluded = %d, want 7", got)
	}
	eb := l.Exclusions()
	defer eb.Release()
	if eb.NumRows() != 0 {
		t.Errorf("Exclusions after spilling holds %d rows, want 0", eb.NumRows())
	}
}

func TestLedgerSpillError(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	l := pipeline.NewLedger(mem)
	defer l.Close()
	w := &batchRecorder{t: t, failAt: 1}
	l.SpillExclusions(w, 2)
	for i := range 5 {
		l.Exclude(int64(i+1), pipeline.ReasonOwnerIsQueue, 0, int64(i), pipeline.NoTime)
	}
	// The first failed write is what the flush reports; later batches are
	// not offered to a writer that has failed.
	if err := l.FlushExclusions(); err == nil || err.Error() != "disk full" {
		t.Errorf("FlushExclusions = %v, want the writer's error", err)
	}
	if len(w.sizes) != 1 {
		t.Errorf("writes after the failure: %v, want only the first", w.sizes)
	}
}

func TestLedgerFlushWithoutSpill(t *testing.T) {
	l := pipeline.NewLedger(memory.NewGoAllocator())
	defer l.Close()
	if err := l.FlushExclusions(); err == nil {
		t.Error("FlushExclusions without SpillExclusions: no error")
	}
}
