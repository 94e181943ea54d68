package state

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	sqlfiles "github.com/actsync/actsync/sql"
)

// TestStatusSections: a new state's summary has its three sections, in
// order, with their columns and no rows.
func TestStatusSections(t *testing.T) {
	ctx := context.Background()
	st := openState(t, t.TempDir())
	defer st.Close()
	sections, err := st.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name, firstColumn string
	}{{"status_runs", "run_id"}, {"status_people", "status"}, {"status_duplicates", "people_per_group"}}
	if len(sections) != len(want) {
		t.Fatalf("%d sections, want %d", len(sections), len(want))
	}
	for i, w := range want {
		s := sections[i]
		if s.Name != w.name || s.Title == "" || len(s.Table.Columns) == 0 || s.Table.Columns[0] != w.firstColumn || len(s.Table.Rows) != 0 {
			t.Errorf("section %d: %q %q columns %v, %d rows; want %s starting with %s, no rows", i, s.Name, s.Title, s.Table.Columns, len(s.Table.Rows), w.name, w.firstColumn)
		}
	}
}

// TestQueryAndExportParquet: Query sees the history views, and
// ExportParquet writes a Parquet file that reads back to the same rows,
// whatever a trailing semicolon.
func TestQueryAndExportParquet(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := openState(t, filepath.Join(dir, "state"))
	defer st.Close()
	rows, err := st.Query(ctx, "SELECT count(*) FROM field_changes")
	if err != nil {
		t.Fatal(err)
	}
	got, err := readTable(rows)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Rows, [][]any{{int64(0)}}) {
		t.Errorf("field_changes on a new state: %v", got.Rows)
	}

	var buf bytes.Buffer
	if err := st.ExportParquet(ctx, "SELECT * FROM range(3) t(n) ;  ", &buf); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("PAR1")) {
		t.Fatalf("output does not start with the Parquet magic: %q", buf.Bytes()[:min(buf.Len(), 8)])
	}
	out := filepath.Join(dir, "out.parquet")
	if err := os.WriteFile(out, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	rows, err = st.Query(ctx, "SELECT n FROM read_parquet("+sqlfiles.QuoteString(out)+") ORDER BY n")
	if err != nil {
		t.Fatal(err)
	}
	got, err = readTable(rows)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Rows, [][]any{{int64(0)}, {int64(1)}, {int64(2)}}) {
		t.Errorf("Parquet round trip: %v", got.Rows)
	}
}
