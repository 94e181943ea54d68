package extract

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"go.uber.org/goleak"

	"github.com/actsync/actsync/pipeline"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// Reader is what the runner consumes: an array.RecordReader with Stats.
var (
	_ array.RecordReader = (*Reader)(nil)
	_ pipeline.Source    = (*Reader)(nil)
)

// m is a row's selected columns: a string value, or nil for NULL.
type m = map[string]any

// xrow is one extracted row as plain Go values. Vals holds every text
// column of pipeline.RawSchema (nil for NULL); tables compare only the
// columns their want rows name.
type xrow struct {
	ID   int64
	Vals m
	File int32
	Line int64
}

// xrej is one ledger reject as plain Go values.
type xrej struct {
	Reason string
	Line   int64
	Field  string
	Raw    string
}

// result is everything one extraction produced.
type result struct {
	rows    []xrow
	rejects []xrej
	details []string // Reject.Detail, parallel to rejects
	files   []int32  // Reject.File, parallel to rejects
	batches []int    // rows per batch, in order
	stats   []pipeline.Input
	err     error
}

// peopleCSV is a minimal people export of n valid rows, ids 1 to n.
func peopleCSV(n int) string {
	var b strings.Builder
	b.WriteString("id,email,sfdcLeadOwnerId\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%d,p%d@example.com,0055g00000Bq7HXAAZ\n", i, i)
	}
	return b.String()
}

// extractAll runs Discover on patterns, then Open and reads every source in
// order, as the runner does, and renders what came out. It stops at the
// first error (Discover, Open or Err) and returns it in result.err. Every
// Arrow object it creates is released before it returns.
func extractAll(t testing.TB, mem memory.Allocator, patterns []string, opts Options) result {
	t.Helper()
	var res result
	srcs, err := Discover(patterns)
	if err != nil {
		res.err = err
		return res
	}
	ledger := pipeline.NewLedger(mem)
	defer ledger.Close()
	for _, src := range srcs {
		if err := readSource(t, mem, ledger, src, opts, &res); err != nil {
			res.err = err
			break
		}
	}
	rej := ledger.Rejects()
	defer rej.Release()
	res.rejects, res.files, res.details = renderRejects(rej)
	return res
}

func readSource(t testing.TB, mem memory.Allocator, ledger *pipeline.Ledger, src Source, opts Options, res *result) error {
	t.Helper()
	r, err := Open(src, mem, ledger, opts)
	if err != nil {
		return err
	}
	defer r.Release()
	for r.Next() {
		rec := r.RecordBatch()
		if !rec.Schema().Equal(pipeline.RawSchema) {
			t.Errorf("batch schema = %v, want pipeline.RawSchema", rec.Schema())
		}
		if rec.NumRows() == 0 {
			t.Errorf("Next returned true with an empty batch")
		}
		res.batches = append(res.batches, int(rec.NumRows()))
		res.rows = append(res.rows, renderRows(rec)...)
	}
	if r.Next() {
		t.Errorf("Next returned true after returning false")
	}
	res.stats = append(res.stats, r.Stats())
	return r.Err()
}

// renderRows turns a RawSchema batch into plain Go values.
func renderRows(rec arrow.RecordBatch) []xrow {
	ids := rec.Column(0).(*array.Int64)
	files := rec.Column(pipeline.RawIndex(pipeline.ColFile)).(*array.Int32)
	lines := rec.Column(pipeline.RawIndex(pipeline.ColLine)).(*array.Int64)
	var out []xrow
	for i := 0; i < int(rec.NumRows()); i++ {
		r := xrow{ID: ids.Value(i), Vals: m{}, File: files.Value(i), Line: lines.Value(i)}
		for _, name := range pipeline.RawTextFields {
			col := rec.Column(pipeline.RawIndex(name)).(*array.String)
			if col.IsNull(i) {
				r.Vals[name] = nil
			} else {
				r.Vals[name] = col.Value(i)
			}
		}
		out = append(out, r)
	}
	return out
}

func renderRejects(rec arrow.RecordBatch) (rejects []xrej, files []int32, details []string) {
	for i := 0; i < int(rec.NumRows()); i++ {
		field := rec.Column(3).(*array.String)
		f := ""
		if !field.IsNull(i) {
			f = field.Value(i)
		}
		rejects = append(rejects, xrej{
			Reason: rec.Column(2).(*array.String).Value(i),
			Line:   rec.Column(1).(*array.Int64).Value(i),
			Field:  f,
			Raw:    rec.Column(5).(*array.String).Value(i),
		})
		files = append(files, rec.Column(0).(*array.Int32).Value(i))
		details = append(details, rec.Column(4).(*array.String).Value(i))
	}
	return rejects, files, details
}

// project keeps of got only the columns want names, so that a table lists
// just the columns a case is about.
func project(got []xrow, want []xrow) []xrow {
	union := map[string]bool{}
	for _, w := range want {
		for k := range w.Vals {
			union[k] = true
		}
	}
	out := make([]xrow, len(got))
	for i, g := range got {
		keep := union
		if i < len(want) {
			keep = map[string]bool{}
			for k := range want[i].Vals {
				keep[k] = true
			}
		}
		p := g
		p.Vals = m{}
		for k := range keep {
			v, ok := g.Vals[k]
			if !ok {
				v = fmt.Sprintf("<no column %q>", k)
			}
			p.Vals[k] = v
		}
		out[i] = p
	}
	return out
}

// normRows fills in the zero Vals of want rows so that DeepEqual compares
// like with like.
func normRows(rows []xrow) []xrow {
	out := make([]xrow, len(rows))
	for i, r := range rows {
		if r.Vals == nil {
			r.Vals = m{}
		}
		out[i] = r
	}
	return out
}

func fmtRows(rows []xrow) string {
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "\n\t{ID: %d, File: %d, Line: %d, Vals: %s}", r.ID, r.File, r.Line, fmtVals(r.Vals))
	}
	if b.Len() == 0 {
		return " (none)"
	}
	return b.String()
}

func fmtVals(v m) string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	// RawTextFields order, then anything else.
	var parts []string
	seen := map[string]bool{}
	for _, k := range pipeline.RawTextFields {
		if x, ok := v[k]; ok {
			seen[k] = true
			if x == nil {
				parts = append(parts, k+": NULL")
			} else {
				parts = append(parts, fmt.Sprintf("%s: %q", k, x))
			}
		}
	}
	for _, k := range keys {
		if !seen[k] {
			parts = append(parts, fmt.Sprintf("%s: %v", k, v[k]))
		}
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func fmtRejects(rs []xrej) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "\n\t%+v", r)
	}
	if b.Len() == 0 {
		return " (none)"
	}
	return b.String()
}

// checkRows compares got with want on the columns want names.
func checkRows(t *testing.T, got, want []xrow) {
	t.Helper()
	want = normRows(want)
	if p := project(got, want); !reflect.DeepEqual(p, want) && !(len(p) == 0 && len(want) == 0) {
		t.Errorf("rows:\ngot:%s\nwant:%s", fmtRows(p), fmtRows(want))
	}
}

func checkRejects(t *testing.T, got, want []xrej) {
	t.Helper()
	if !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Errorf("rejects:\ngot:%s\nwant:%s", fmtRejects(got), fmtRejects(want))
	}
}

// checkErr checks err against a wantErr substring ("" = no error) and that
// any error is one of the package's typed errors and names the file.
func checkErr(t *testing.T, err error, wantErr, file string) {
	t.Helper()
	if wantErr == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("error = nil, want one containing %q", wantErr)
	}
	if !strings.Contains(err.Error(), wantErr) {
		t.Errorf("error = %q, want it to contain %q", err, wantErr)
	}
	var fe *FileError
	var mc *MissingColumnError
	if !errors.As(err, &fe) && !errors.As(err, &mc) {
		t.Errorf("error %T (%v) is neither *FileError nor *MissingColumnError", err, err)
	}
	if file != "" && !strings.Contains(err.Error(), file) {
		t.Errorf("error %q does not name the file %s", err, file)
	}
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
