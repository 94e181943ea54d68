package dedupe_test

import (
	"context"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/internal/pipelinetest"
	"github.com/actsync/actsync/pipeline"
	"github.com/actsync/actsync/stages/dedupe"
)

// person is one pipeline.PersonSchema row; columns it has no field for are
// NULL, and an empty Email is NULL.
type person struct {
	ID    int64  `column:"marketo_id"`
	Email string `column:"email"`
	File  int32  `column:"source_file"`
	Line  int64  `column:"source_line"`
}

// personBatch builds a pipeline.PersonSchema batch; the caller releases it.
func personBatch(t testing.TB, mem memory.Allocator, rows []person) arrow.RecordBatch {
	t.Helper()
	return pipelinetest.Batch(t, mem, pipeline.PersonSchema, rows)
}

// null is how a NULL email_key renders.
const null = "<NULL>"

func emailKeys(t testing.TB, b arrow.RecordBatch) []string {
	t.Helper()
	if !b.Schema().Equal(pipeline.KeyedPersonSchema) {
		t.Fatalf("schema = %s, want pipeline.KeyedPersonSchema", b.Schema())
	}
	col := b.Column(pipeline.KeyedPersonSchema.FieldIndices(pipeline.ColEmailKey)[0]).(*array.String)
	out := make([]string, col.Len())
	for i := range out {
		if col.IsNull(i) {
			out[i] = null
		} else {
			out[i] = col.Value(i)
		}
	}
	return out
}

func TestEmailKey(t *testing.T) {
	tests := []struct {
		email, want string
	}{
		{"ana@example.com", "ana@example.com"},
		{"Ana.Lima@Example.COM", "ana.lima@example.com"},
		{"  ana@example.com  ", "ana@example.com"},
		{"\tAna@Example.com\r\n", "ana@example.com"},
		{"\u00a0ana@example.com\u00a0", "ana@example.com"}, // no-break space from spreadsheets
		{"ÅSA@EXAMPLE.SE", "åsa@example.se"},
		{"a b@example.com", "a b@example.com"}, // inner space kept
		{"", ""},
		{"   ", ""},
	}
	for _, tt := range tests {
		if got := dedupe.EmailKey(tt.email); got != tt.want {
			t.Errorf("EmailKey(%q) = %q, want %q", tt.email, got, tt.want)
		}
	}
}

func TestProcess(t *testing.T) {
	tests := []struct {
		name string
		rows []person
		want []string
	}{
		{
			name: "keys",
			rows: []person{
				{ID: 1, Email: "Ana@Example.com", Line: 2},
				{ID: 2, Email: " ana@example.com ", Line: 3},
				{ID: 3, Line: 4},
				{ID: 4, Email: "BO@EXAMPLE.COM", Line: 5},
			},
			want: []string{"ana@example.com", "ana@example.com", null, "bo@example.com"},
		},
		{
			name: "all NULL",
			rows: []person{{ID: 1, Line: 2}, {ID: 2, Line: 3}},
			want: []string{null, null},
		},
		{
			name: "empty batch",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			in := personBatch(t, mem, tt.rows)
			defer in.Release()
			out, err := dedupe.New(mem).Process(context.Background(), in)
			if err != nil {
				t.Fatalf("Process: %v", err)
			}
			defer out.Release()
			if out.NumRows() != in.NumRows() {
				t.Fatalf("rows = %d, want %d: dedupe drops nothing", out.NumRows(), in.NumRows())
			}
			if got := emailKeys(t, out); !slices.Equal(got, tt.want) {
				t.Errorf("email_key = %q, want %q", got, tt.want)
			}
			// Every other column is the input's array, shared not copied.
			for i := range in.NumCols() {
				if out.Column(int(i)) != in.Column(int(i)) {
					t.Errorf("column %s was copied", in.ColumnName(int(i)))
				}
			}
		})
	}
}

// The output holds its own references: it outlives the input batch.
func TestProcessOutlivesInput(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	in := personBatch(t, mem, []person{{ID: 7, Email: "X@Y.Z", Line: 9}})
	out, err := dedupe.New(mem).Process(context.Background(), in)
	in.Release()
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	if got := out.Column(0).(*array.Int64).Value(0); got != 7 {
		t.Errorf("marketo_id = %d after input released", got)
	}
	if got := emailKeys(t, out); !slices.Equal(got, []string{"x@y.z"}) {
		t.Errorf("email_key = %q", got)
	}
}

// A slice of a batch (offsets into shared buffers) keys its own rows.
func TestProcessSlicedInput(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	full := personBatch(t, mem, []person{
		{ID: 1, Email: "A@X.COM", Line: 2},
		{ID: 2, Email: " B@X.COM", Line: 3},
		{ID: 3, Line: 4},
		{ID: 4, Email: "D@X.COM", Line: 5},
	})
	in := full.NewSlice(1, 3)
	full.Release()
	defer in.Release()
	out, err := dedupe.New(mem).Process(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	if got, want := emailKeys(t, out), []string{"b@x.com", null}; !slices.Equal(got, want) {
		t.Errorf("email_key = %q, want %q", got, want)
	}
}
