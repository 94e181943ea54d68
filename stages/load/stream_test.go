package load

import (
	"context"
	dbsql "database/sql"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/internal/golden"
)

var streamSchema = arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64}}, nil)

// idBatch is a batch of ids from..from+n-1.
func idBatch(mem memory.Allocator, from, n int64) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, streamSchema)
	defer b.Release()
	for i := from; i < from+n; i++ {
		b.Field(0).(*array.Int64Builder).Append(i)
	}
	return b.NewRecordBatch()
}

// startStream starts a stream of streamSchema batches, as the view "s",
// into query on a transaction of a new DuckDB file, which it returns too;
// the transaction is rolled back when t ends.
func startStream(t *testing.T, query string) (*peopleStream, *dbsql.Tx) {
	t.Helper()
	ctx := context.Background()
	_, conn := golden.OpenDB(t, filepath.Join(t.TempDir(), "s.duckdb"))
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback() })
	s := newPeopleStream(streamSchema)
	if err := s.start(ctx, conn, tx, "s", query); err != nil {
		t.Fatal(err)
	}
	return s, tx
}

// TestPeopleStream sends batches to a running scan and checks that the
// table holds every row, and that every batch is released whichever way
// the stream ends.
func TestPeopleStream(t *testing.T) {
	ctx := context.Background()
	const query = "CREATE TEMP TABLE got AS SELECT * FROM s"
	t.Run("finish", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		s, tx := startStream(t, query)
		for i := range int64(10) { // more batches than the channel holds
			b := idBatch(mem, i*100, 100)
			err := s.send(ctx, b)
			b.Release()
			if err != nil {
				t.Fatal(err)
			}
		}
		if err := s.finish(); err != nil {
			t.Fatal(err)
		}
		var n, sum int64
		if err := tx.QueryRowContext(ctx, "SELECT count(*), sum(id) FROM got").Scan(&n, &sum); err != nil {
			t.Fatal(err)
		}
		if n != 1000 || sum != 999*1000/2 {
			t.Errorf("got %d rows summing to %d, want 1000 and %d", n, sum, 999*1000/2)
		}
	})
	t.Run("abort fails the scan", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		s, _ := startStream(t, query)
		b := idBatch(mem, 0, 100)
		err := s.send(ctx, b)
		b.Release()
		if err != nil {
			t.Fatal(err)
		}
		s.abort()
		if s.err == nil {
			t.Error("an aborted stream let its scan succeed: the table would be truncated")
		}
	})
	t.Run("abort before start", func(t *testing.T) {
		s := newPeopleStream(streamSchema)
		s.abort() // must not wait for a scan that never ran
		s.abort()
	})
}
