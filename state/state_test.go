package state

import (
	"context"
	"testing"
)

// TestOpenSettings: every open state, writer or reader, runs in UTC and
// has DuckDB hand freed memory back sooner than its defaults
// (allocatorFlush; DuckDB prints 32MB as 30.5 MiB): without it the process
// grew past twice its memory limit.
func TestOpenSettings(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := openState(t, dir)
	want := map[string]string{
		"TimeZone":                  "UTC",
		"allocator_flush_threshold": "30.5 MiB",
		"allocator_bulk_deallocation_flush_threshold": "122.0 MiB",
	}
	check := func(st *State, who string) {
		for name, v := range want {
			var got string
			if err := st.conn.QueryRowContext(ctx, "SELECT value FROM duckdb_settings() WHERE name = $1", name).Scan(&got); err != nil {
				t.Fatalf("%s: %s: %v", who, name, err)
			}
			if got != v {
				t.Errorf("%s: %s = %q, want %q", who, name, got, v)
			}
		}
	}
	check(st, "writer")
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := OpenReadOnly(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	check(ro, "reader")
}

// openState opens the writer's state in dir or fails the test.
func openState(t *testing.T, dir string) *State {
	t.Helper()
	st, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
