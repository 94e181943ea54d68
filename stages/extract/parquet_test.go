package extract

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/actsync/actsync/internal/pipelinetest"
)

// writeParquet writes one batch, built by fill, to a new Parquet file at
// path with pqarrow, allocating from mem.
func writeParquet(t testing.TB, mem memory.Allocator, path string, schema *arrow.Schema, fill func(b *array.RecordBuilder)) {
	t.Helper()
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	fill(b)
	rec := b.NewRecordBatch()
	defer rec.Release()

	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := pqarrow.NewFileWriter(schema, f,
		parquet.NewWriterProperties(parquet.WithAllocator(mem)),
		pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem)))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		w.Close()
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

var peopleParquetSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "firstName", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "email", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "sfdcLeadOwnerId", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "unsubscribed", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "leadScore", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
}, nil)

func fillPeople(b *array.RecordBuilder) {
	ids := b.Field(0).(*array.Int64Builder)
	first := b.Field(1).(*array.StringBuilder)
	email := b.Field(2).(*array.StringBuilder)
	owner := b.Field(3).(*array.StringBuilder)
	unsub := b.Field(4).(*array.BooleanBuilder)
	score := b.Field(5).(*array.Int32Builder)

	ids.AppendValues([]int64{1001, 1002, 0, 1004}, []bool{true, true, false, true})
	first.AppendValues([]string{" Olivia ", "null", "Ghost", "Null"}, nil)
	email.AppendValues([]string{"olivia@example.com", "marcus@example.com", "ghost@example.com", ""}, nil)
	owner.Append("0055g00000Bq7HXAAZ")
	owner.AppendNull()
	owner.Append("O")
	owner.Append("O")
	unsub.AppendValues([]bool{false, true, false, false}, nil)
	score.AppendValues([]int32{87, 5, 0, 1}, nil)
}

// TestReadParquet reads a Parquet export: an int64 id column, string
// columns, a NULL, and a column of another type rendered as text.
func TestReadParquet(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	dir := t.TempDir()
	path := dir + "/people.parquet"
	writeParquet(t, mem, path, peopleParquetSchema, fillPeople)

	res := extractAll(t, mem, []string{path}, Options{})
	if res.err != nil {
		t.Fatal(res.err)
	}
	checkRows(t, res.rows, []xrow{
		{ID: 1001, Line: 1, Vals: m{"first_name": "Olivia", "email": "olivia@example.com", "sales_owner_id": "0055g00000Bq7HXAAZ", "unsubscribed": "false"}},
		{ID: 1002, Line: 2, Vals: m{"first_name": nil, "email": "marcus@example.com", "sales_owner_id": nil, "unsubscribed": "true"}},
		{ID: 1004, Line: 4, Vals: m{"first_name": "Null", "email": nil, "sales_owner_id": "O", "unsubscribed": "false"}},
	})
	if len(res.rejects) != 1 {
		t.Fatalf("rejects:%s\nwant one invalid_marketo_id at row 3", fmtRejects(res.rejects))
	}
	if r := res.rejects[0]; r.Reason != "invalid_marketo_id" || r.Line != 3 || !strings.Contains(r.Raw, "ghost@example.com") {
		t.Errorf("reject = %+v, want invalid_marketo_id at row 3 with the raw row", r)
	}
	st := res.stats[0]
	if st.Format != "parquet" || st.Rows != 4 || !slices.Equal(st.Unknown, []string{"leadScore"}) {
		t.Errorf("Stats() = %+v, want format parquet, 4 rows, unknown [leadScore]", st)
	}
	checkDigest(t, path, st.SHA256, st.Bytes)
}

// TestReadParquetBatches reads a Parquet file in batches smaller than the
// file.
func TestReadParquetBatches(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	path := t.TempDir() + "/people.pq"
	writeParquet(t, mem, path, peopleParquetSchema, fillPeople)
	res := extractAll(t, mem, []string{path}, Options{BatchRows: 2})
	if res.err != nil {
		t.Fatal(res.err)
	}
	if !slices.Equal(res.batches, []int{2, 1}) {
		t.Errorf("batches = %v, want [2 1]", res.batches)
	}
}

// TestReadParquetSniffed reads a Parquet file named without an extension,
// recognised by its magic bytes.
func TestReadParquetSniffed(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	path := t.TempDir() + "/export"
	writeParquet(t, mem, path, peopleParquetSchema, fillPeople)
	srcs, err := Discover([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	if srcs[0].Format != Parquet {
		t.Fatalf("format = %q, want parquet", srcs[0].Format)
	}
	res := extractAll(t, mem, []string{path}, Options{})
	if res.err != nil || len(res.rows) != 3 {
		t.Errorf("got %d rows, err %v; want 3 rows", len(res.rows), res.err)
	}
}

// TestReadParquetErrors checks the Parquet files that fail as a whole.
func TestReadParquetErrors(t *testing.T) {
	tests := []struct {
		name    string
		schema  *arrow.Schema
		fill    func(b *array.RecordBuilder)
		raw     []byte // written as is instead of a Parquet file
		wantErr string
		missing bool // want a *MissingColumnError
	}{{
		name:   "nested list column",
		schema: personWith(arrow.Field{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true}),
		fill: func(b *array.RecordBuilder) {
			appendPerson(b)
			lb := b.Field(3).(*array.ListBuilder)
			lb.Append(true)
			lb.ValueBuilder().(*array.StringBuilder).Append("vip")
		},
		wantErr: `parquet column "tags" has type list`,
	}, {
		name:   "nested struct column",
		schema: personWith(arrow.Field{Name: "address", Type: arrow.StructOf(arrow.Field{Name: "city", Type: arrow.BinaryTypes.String})}),
		fill: func(b *array.RecordBuilder) {
			appendPerson(b)
			sb := b.Field(3).(*array.StructBuilder)
			sb.Append(true)
			sb.FieldBuilder(0).(*array.StringBuilder).Append("Oslo")
		},
		wantErr: `parquet column "address" has type struct`,
	}, {
		name: "missing owner column",
		schema: arrow.NewSchema([]arrow.Field{
			{Name: "id", Type: arrow.PrimitiveTypes.Int64},
			{Name: "email", Type: arrow.BinaryTypes.String},
		}, nil),
		fill: func(b *array.RecordBuilder) {
			b.Field(0).(*array.Int64Builder).Append(1)
			b.Field(1).(*array.StringBuilder).Append("a@x")
		},
		wantErr: "no column for sales_owner_id (",
		missing: true,
	}, {
		name:    "not Parquet inside",
		raw:     []byte("PAR1 this is not a parquet file PAR1"),
		wantErr: "parquet:",
	}, {
		name:    "empty .parquet",
		raw:     []byte{},
		wantErr: "parquet:",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)

			path := t.TempDir() + "/people.parquet"
			if tt.raw != nil {
				pipelinetest.WriteFile(t, "", path, tt.raw)
			} else {
				writeParquet(t, mem, path, tt.schema, tt.fill)
			}
			res := extractAll(t, mem, []string{path}, Options{})
			checkErr(t, res.err, tt.wantErr, path)
			var mc *MissingColumnError
			if got := errors.As(res.err, &mc); got != tt.missing {
				t.Errorf("errors.As(%v, *MissingColumnError) = %v, want %v", res.err, got, tt.missing)
			}
			var fe *FileError
			if !tt.missing && !errors.As(res.err, &fe) {
				t.Errorf("error %T is not a *FileError", res.err)
			}
			if len(res.rows) != 0 {
				t.Errorf("a failed file yielded %d rows", len(res.rows))
			}
		})
	}
}

// personWith is the schema of the three columns a people export needs, id,
// email and sfdcLeadOwnerId, and extra.
func personWith(extra arrow.Field) *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "email", Type: arrow.BinaryTypes.String},
		{Name: "sfdcLeadOwnerId", Type: arrow.BinaryTypes.String},
		extra,
	}, nil)
}

// appendPerson appends person 1 to the first three columns of personWith's
// schema.
func appendPerson(b *array.RecordBuilder) {
	b.Field(0).(*array.Int64Builder).Append(1)
	b.Field(1).(*array.StringBuilder).Append("a@x")
	b.Field(2).(*array.StringBuilder).Append("O")
}

// checkDigest checks a reader's SHA256 and Bytes against the file on disk.
func checkDigest(t *testing.T, path, gotSum string, gotBytes int64) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if want := hex.EncodeToString(sum[:]); gotSum != want {
		t.Errorf("SHA256 = %q, want %q (sha256 of the file)", gotSum, want)
	}
	if gotBytes != int64(len(data)) {
		t.Errorf("Bytes = %d, want %d", gotBytes, len(data))
	}
}

// TestReadParquetTypes reads the column types other writers produce:
// byte arrays without the STRING annotation (older Hive and Impala), large
// strings, dictionaries, a 32-bit id and a UTC timestamp, all as text.
func TestReadParquetTypes(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "Lead ID", Type: arrow.PrimitiveTypes.Int32},
		{Name: "email", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "sfdcLeadOwnerId", Type: arrow.BinaryTypes.LargeString},
		{Name: "marketo_id", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "company", Type: &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}},
		{Name: "updatedAt", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	}, nil)
	path := t.TempDir() + "/hive.parquet"
	writeParquet(t, mem, path, schema, func(b *array.RecordBuilder) {
		b.Field(0).(*array.Int32Builder).AppendValues([]int32{0, 1002}, nil)
		b.Field(1).(*array.BinaryBuilder).AppendValues([][]byte{[]byte(" a@example.com "), nil}, []bool{true, false})
		b.Field(2).(*array.LargeStringBuilder).AppendValues([]string{"O1", "null"}, nil)
		b.Field(3).(*array.BinaryBuilder).AppendValues([][]byte{[]byte("1001"), []byte("9")}, nil)
		db := b.Field(4).(*array.BinaryDictionaryBuilder)
		db.AppendString("Acme Widgets, Inc.")
		db.AppendString("Acme Widgets, Inc.")
		b.Field(5).(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{1761669731000000, 0}, nil)
	})
	res := extractAll(t, mem, []string{path}, Options{})
	if res.err != nil {
		t.Fatal(res.err)
	}
	// Lead ID and marketo_id both feed marketo_id; marketo_id comes first
	// in the alias order.
	checkRows(t, res.rows, []xrow{
		{ID: 1001, Line: 1, Vals: m{"email": "a@example.com", "sales_owner_id": "O1", "company": "Acme Widgets, Inc.", "updated_at": "2025-10-28T16:42:11Z"}},
		{ID: 9, Line: 2, Vals: m{"email": nil, "sales_owner_id": nil, "company": "Acme Widgets, Inc.", "updated_at": "1970-01-01T00:00:00Z"}},
	})
	checkRejects(t, res.rejects, nil)
}
