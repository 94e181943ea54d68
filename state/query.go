package state

import (
	"context"
	dbsql "database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"

	sqlfiles "github.com/actsync/actsync/sql"
)

// Table is a small result held in memory: its column names and its rows,
// each value as database/sql scans it into an any.
type Table struct {
	Columns []string
	Rows    [][]any
}

// StatusSection is one table of the state's summary (Status).
type StatusSection struct {
	// Name is the statement's, sql/status/<Name>.sql: status_runs,
	// status_people, status_duplicates.
	Name  string
	Title string
	Table Table
}

// Status reads the state's summary, in the order it is shown: the last ten
// runs (when, as-of time, inputs, counts, duration, outcome), the people by
// status and reason, and the duplicate email groups of the latest run by
// size (counts only: no email). The runs a dead process left unfinished are
// Pending's.
func (s *State) Status(ctx context.Context) ([]StatusSection, error) {
	sections := []StatusSection{
		{Name: "status_runs", Title: "runs (newest first)"},
		{Name: "status_people", Title: "people"},
		{Name: "status_duplicates", Title: "duplicate email groups, latest run"},
	}
	for i := range sections {
		name := "status/" + sections[i].Name
		rows, err := s.conn.QueryContext(ctx, sqlfiles.Text(name))
		if err != nil {
			return nil, fmt.Errorf("%s.sql: %w", name, err)
		}
		sections[i].Table, err = readTable(rows)
		if err != nil {
			return nil, fmt.Errorf("%s.sql: %w", name, err)
		}
	}
	return sections, nil
}

// readTable reads rows into a Table and closes them.
func readTable(rows *dbsql.Rows) (Table, error) {
	defer rows.Close()
	var t Table
	var err error
	if t.Columns, err = rows.Columns(); err != nil {
		return t, err
	}
	for rows.Next() {
		vals := make([]any, len(t.Columns))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return t, err
		}
		t.Rows = append(t.Rows, vals)
	}
	return t, rows.Err()
}

// Query runs one statement of the caller's (`actsync query`) on the state's
// connection, with the history views in place (AddHistoryViews), and
// returns its rows, to be read one at a time. Close them before using the
// state again. The statement is meant for a state opened read-only
// (OpenReadOnly), on which DuckDB refuses any change.
func (s *State) Query(ctx context.Context, query string) (*dbsql.Rows, error) {
	if err := s.AddHistoryViews(ctx); err != nil {
		return nil, err
	}
	return s.conn.QueryContext(ctx, query)
}

// ExportParquet writes the result of query, as Query runs it, to w as one
// Parquet file. DuckDB writes it to a private temp file (COPY needs a
// path), which is then copied to w. The statement is the caller's own, run
// as it is: only a trailing semicolon is trimmed to wrap it in COPY
// (sqlfiles.CopyStatement).
func (s *State) ExportParquet(ctx context.Context, query string, w io.Writer) error {
	if err := s.AddHistoryViews(ctx); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "actsync-query-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "result.parquet")
	if _, err := s.conn.ExecContext(ctx, sqlfiles.CopyStatement(query, path)); err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}
