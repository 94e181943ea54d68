package main

import (
	"context"
	dbsql "database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	sqlfiles "github.com/actsync/actsync/sql"
	"github.com/actsync/actsync/state"
)

const querySynopsis = `Usage: actsync query [--state DIR] [--format table|csv|json|parquet] SQL

Runs one read-only SQL statement against the state's actions.duckdb and
prints the result. The database is opened read-only: nothing can change.

Tables: people, runs, inputs, changes, exclusions, rejects, stale_rows,
duplicate_emails, and the activity tables (activities, sales_activity_log,
salesforce_tasks, unsubscribe_violations, person_activity_summary,
lifecycle_events). Views over the history:
  people_history        every retained people snapshot: run_id,
                        run_started_at, run_finished_at, as_of, then the
                        people columns
  people_as_of(point)   people after a run: a run id, or a time (the last
                        run finished by then), e.g. people_as_of(3) or
                        people_as_of('2026-11-02 06:00')
  field_changes         one row per changed field per person per run, with
                        old_value and new_value
  owner_changes         from_owner -> to_owner per person per run

--format parquet writes a Parquet file to stdout: redirect it to a file.`

func queryCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("query", querySynopsis, stderr)
	stateDir := fs.String("state", "./actsync-data", "state `DIR`")
	format := fs.String("format", "table", "output `FORMAT`: table, csv, json (one object per line) or parquet (to a redirected stdout)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "actsync query: give exactly one SQL statement (quote it)")
		fs.Usage()
		return errUsage
	}
	switch *format {
	case "table", "csv", "json":
	case "parquet":
		if isTerminal(stdout) {
			fmt.Fprintln(stderr, "actsync query: --format parquet writes binary data: redirect stdout to a file")
			return errUsage
		}
	default:
		fmt.Fprintf(stderr, "actsync query: unknown --format %q\n", *format)
		return errUsage
	}
	st, err := state.OpenReadOnly(ctx, *stateDir)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.AddHistoryViews(ctx); err != nil {
		return err
	}
	if *format == "parquet" {
		return queryParquet(ctx, st, fs.Arg(0), stdout)
	}
	rows, err := st.Conn().QueryContext(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	defer rows.Close()
	return printRows(rows, *format, stdout)
}

// queryParquet writes the result of query to w as one Parquet file: DuckDB
// writes it to a private temp file (COPY needs a path), which is then
// copied to w. The statement is the user's own, run on a read-only
// connection; only a trailing semicolon is trimmed to wrap it.
func queryParquet(ctx context.Context, st *state.State, query string, w io.Writer) error {
	dir, err := os.MkdirTemp("", "actsync-query-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "result.parquet")
	query = strings.TrimRight(strings.TrimSpace(query), ";")
	if _, err := st.Conn().ExecContext(ctx, fmt.Sprintf("COPY (%s) TO %s (FORMAT parquet)", query, sqlfiles.QuoteString(path))); err != nil {
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

// printRows writes a result set as an aligned table, CSV or JSON lines.
func printRows(rows *dbsql.Rows, format string, w io.Writer) error {
	return printRowsWith(rows, format, w, nil)
}

// printRowsWith is printRows with extra keys added to every JSON line.
func printRowsWith(rows *dbsql.Rows, format string, w io.Writer, extra map[string]any) error {
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var tw *tabwriter.Writer
	var cw *csv.Writer
	enc := json.NewEncoder(w)
	switch format {
	case "table":
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(cols, "\t"))
	case "csv":
		cw = csv.NewWriter(w)
		cw.Write(cols)
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		switch format {
		case "table":
			cells := make([]string, len(vals))
			for i, v := range vals {
				cells[i] = strings.ReplaceAll(text(v), "\t", " ")
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		case "csv":
			cells := make([]string, len(vals))
			for i, v := range vals {
				cells[i] = text(v)
			}
			cw.Write(cells)
		case "json":
			obj := make(map[string]any, len(cols)+len(extra))
			for k, v := range extra {
				obj[k] = v
			}
			for i, c := range cols {
				obj[c] = vals[i]
			}
			if err := enc.Encode(obj); err != nil {
				return err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if tw != nil {
		return tw.Flush()
	}
	if cw != nil {
		cw.Flush()
		return cw.Error()
	}
	return nil
}

func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case []byte:
		return string(v)
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = text(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case time.Time:
		return v.UTC().Format("2006-01-02 15:04:05.999999")
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(v)
}
