package golden

import (
	"context"
	dbsql "database/sql"
	"testing"

	"github.com/actsync/actsync/pipeline"
	sqlfiles "github.com/actsync/actsync/sql"
)

// Step is a reconcile step as load.Loader runs it (load.Step's Apply).
type Step interface {
	Apply(ctx context.Context, tx *dbsql.Tx, runID int64, report *pipeline.Report) error
}

// OpenDB opens the DuckDB file at path on one connection, as state.State
// does (the test binary must import the duckdb driver). Both are closed
// when t ends, if the test has not closed them before.
func OpenDB(t testing.TB, path string) (*dbsql.DB, *dbsql.Conn) {
	t.Helper()
	db, err := dbsql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return db, conn
}

// Reopen closes conn and db and opens the file at path again: what a test
// reads then is what the runs before committed.
func Reopen(t testing.TB, db *dbsql.DB, conn *dbsql.Conn, path string) (*dbsql.DB, *dbsql.Conn) {
	t.Helper()
	conn.Close()
	db.Close()
	return OpenDB(t, path)
}

// CheckApplied checks what a step's Apply left behind on conn, its
// connection: it ran every statement of want (seen holds the names its
// statement hook was called with), and it dropped its temporary tables. A
// temporary table lives as long as its connection, so this is asked before
// the file is reopened.
func CheckApplied(t testing.TB, conn Querier, seen map[string]bool, want map[string]string) {
	t.Helper()
	for name := range want {
		if !seen[name] {
			t.Errorf("Apply did not run %s.sql", name)
		}
	}
	if n := Query(t, conn, `SELECT table_name FROM duckdb_tables() WHERE temporary`); n != "table_name\n" {
		t.Errorf("temporary tables left behind: %s", n)
	}
}

// CheckNoRows fails t for each of tables that holds rows of run runID.
func CheckNoRows(t testing.TB, q Querier, runID int64, tables []string) {
	t.Helper()
	for _, table := range tables {
		if n := Query(t, q, "SELECT count(*) FROM "+table+" WHERE run_id = $1", runID); n != "count_star()\n0\n" {
			t.Errorf("run %d wrote %s rows: %s", runID, table, Query(t, q, "SELECT * FROM "+table+" WHERE run_id = $1", runID))
		}
	}
}

// ApplyRun runs step as run runID in a transaction of its own on conn and
// commits it, as load.Loader.Commit does: the run's people inputs, if any,
// are recorded in inputs and in the report before the step runs.
func ApplyRun(t testing.TB, conn *dbsql.Conn, step Step, runID int64, inputs []pipeline.Input) *pipeline.Report {
	t.Helper()
	ctx := context.Background()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	report := &pipeline.Report{Inputs: inputs}
	for i, in := range inputs {
		if _, err := tx.ExecContext(ctx, sqlfiles.Text("run/insert_input"), runID, i, in.Path, in.Format, in.SHA256, in.Bytes, in.Rows); err != nil {
			t.Fatal(err)
		}
	}
	if err := step.Apply(ctx, tx, runID, report); err != nil {
		t.Fatalf("run %d: Apply: %v", runID, err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return report
}
