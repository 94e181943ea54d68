package duckarrow

import (
	"context"
	dbsql "database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/actsync/actsync/internal/golden"
)

var schema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// batches builds n batches of size rows each: ids from 1, every third name
// NULL.
func batches(mem memory.Allocator, n, size int) []arrow.RecordBatch {
	var out []arrow.RecordBatch
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	id := int64(0)
	for range n {
		for range size {
			id++
			b.Field(0).(*array.Int64Builder).Append(id)
			if id%3 == 0 {
				b.Field(1).AppendNull()
			} else {
				b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("name-%d", id))
			}
		}
		out = append(out, b.NewRecordBatch())
	}
	return out
}

func openConn(t testing.TB) *dbsql.Conn {
	_, conn := golden.OpenDB(t, filepath.Join(t.TempDir(), "t.duckdb"))
	return conn
}

func TestRegisterView(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	conn := openConn(t)

	recs := batches(mem, 3, 1000)
	rdr, err := array.NewRecordReader(schema, recs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		r.Release()
	}
	release, err := RegisterView(ctx, conn, rdr, "incoming")
	rdr.Release()
	if err != nil {
		t.Fatal(err)
	}
	// Inside a transaction, as load uses it.
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "CREATE TABLE t AS SELECT * FROM incoming"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	release()

	var n, nulls, sum int64
	var last string
	if err := conn.QueryRowContext(ctx, "SELECT count(*), count(*) - count(name), sum(id), max_by(name, id) FROM t").Scan(&n, &nulls, &sum, &last); err != nil {
		t.Fatal(err)
	}
	if n != 3000 || nulls != 1000 || sum != 3000*3001/2 || last != "name-2999" {
		t.Errorf("got count %d, nulls %d, sum %d, last name %q; want 3000, 1000, %d, name-2999", n, nulls, sum, last, 3000*3001/2)
	}
}

func TestRegisterViewNotDuckDB(t *testing.T) {
	if _, err := connPtr(struct{}{}); err == nil {
		t.Error("connPtr accepted a value that is not a driver connection")
	}
	type fake struct{ conn int }
	if _, err := connPtr(&fake{}); err == nil {
		t.Error("connPtr accepted a struct whose conn field has another type")
	}
}
