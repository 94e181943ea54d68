// Package pipelinetest is test support for the stages: the checked
// allocator and ledger a stage test runs on, batches built from and read
// back into rows, and input files.
//
// Rows are structs whose fields name their column in a `column:"…"` tag:
// an int64, int32 or string field for a column of that type, and an int64
// for a timestamp column, in microseconds since the Unix epoch. An empty
// string is NULL, as in the batches extract yields (it never yields an
// empty value), and so is pipeline.NoTime for a timestamp, as for the
// ledger.
//
// What NewLedger creates belongs to the test that asked for it and is
// closed or checked when that test (or subtest) ends, after its deferred
// calls: a test releases its own batches with defer as usual.
package pipelinetest

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/pipeline"
)

// NewLedger returns a checked allocator and a ledger on it. When t ends,
// the ledger is closed and then the allocator must hold nothing: every
// batch the test made or was given has been released.
func NewLedger(t testing.TB) (*memory.CheckedAllocator, *pipeline.Ledger) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	t.Cleanup(func() { mem.AssertSize(t, 0) })
	ledger := pipeline.NewLedger(mem)
	t.Cleanup(ledger.Close)
	return mem, ledger
}

// Batch builds a batch of schema from rows; the caller releases it. Every
// column no field names is NULL.
func Batch[R any](t testing.TB, mem memory.Allocator, schema *arrow.Schema, rows []R) arrow.RecordBatch {
	t.Helper()
	fields := columnFields[R](t, schema)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i := range rows {
		row := reflect.ValueOf(rows[i])
		for j, k := range fields {
			var v any
			if k >= 0 {
				v = row.Field(k).Interface()
			}
			if !appendValue(b.Field(j), v) {
				t.Fatalf("row %d: column %s (%s) cannot hold %T", i, schema.Field(j).Name, schema.Field(j).Type, v)
			}
		}
	}
	return b.NewRecordBatch()
}

// Rows reads b, which must be of schema, into rows. Columns no field names
// are not read.
func Rows[R any](t testing.TB, schema *arrow.Schema, b arrow.RecordBatch) []R {
	t.Helper()
	if !b.Schema().Equal(schema) {
		t.Fatalf("schema = %s, want %s", b.Schema(), schema)
	}
	fields := columnFields[R](t, schema)
	out := make([]R, b.NumRows())
	for i := range out {
		row := reflect.ValueOf(&out[i]).Elem()
		for j, k := range fields {
			if k < 0 {
				continue
			}
			v := value(b.Column(j), i)
			if v == nil || reflect.TypeOf(v) != row.Field(k).Type() {
				t.Fatalf("row %d: column %s (%s) does not fit %T.%s", i, schema.Field(j).Name, schema.Field(j).Type, out[i], row.Type().Field(k).Name)
			}
			row.Field(k).Set(reflect.ValueOf(v))
		}
	}
	return out
}

// columnFields returns, for each column of schema, the index of the field
// of R that names it, or -1.
func columnFields[R any](t testing.TB, schema *arrow.Schema) []int {
	t.Helper()
	typ := reflect.TypeFor[R]()
	fields := make([]int, schema.NumFields())
	for j := range fields {
		fields[j] = -1
	}
	for k := range typ.NumField() {
		name, ok := typ.Field(k).Tag.Lookup("column")
		if !ok {
			continue
		}
		j := schema.FieldIndices(name)
		if len(j) != 1 {
			t.Fatalf("%s.%s: the schema has no column %q", typ, typ.Field(k).Name, name)
		}
		fields[j[0]] = k
	}
	return fields
}

// appendValue appends v to fb and reports whether fb is of v's type.
func appendValue(fb array.Builder, v any) bool {
	switch v := v.(type) {
	case nil:
		fb.AppendNull()
		return true
	case string:
		if v == "" {
			fb.AppendNull()
			return true
		}
		if sb, ok := fb.(*array.StringBuilder); ok {
			sb.Append(v)
			return true
		}
	case int64:
		switch fb := fb.(type) {
		case *array.Int64Builder:
			fb.Append(v)
			return true
		case *array.TimestampBuilder:
			if v == pipeline.NoTime {
				fb.AppendNull()
			} else {
				fb.Append(arrow.Timestamp(v))
			}
			return true
		}
	case int32:
		if ib, ok := fb.(*array.Int32Builder); ok {
			ib.Append(v)
			return true
		}
	}
	return false
}

// value is row i of col as a field holds it ("" for a NULL string,
// pipeline.NoTime for a NULL timestamp), or nil for a column of another
// type.
func value(col arrow.Array, i int) any {
	switch col := col.(type) {
	case *array.String:
		if col.IsNull(i) {
			return ""
		}
		return col.Value(i)
	case *array.Timestamp:
		if col.IsNull(i) {
			return int64(pipeline.NoTime)
		}
		return int64(col.Value(i))
	case *array.Int64:
		return col.Value(i)
	case *array.Int32:
		return col.Value(i)
	}
	return nil
}

// WriteFile writes data to name under dir, creating the directories name
// needs, and returns its path. Like the exports it stands for, the file is
// readable by its owner only.
func WriteFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Gzip returns data compressed as a .gz file holds it.
func Gzip(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
