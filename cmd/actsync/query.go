package main

import (
	"context"
	dbsql "database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

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
	if *format == "parquet" {
		return st.ExportParquet(ctx, fs.Arg(0), stdout)
	}
	rows, err := st.Query(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	defer rows.Close()
	return printRows(rows, *format, stdout)
}

// printRows writes a result set as an aligned table, CSV or JSON lines.
func printRows(rows *dbsql.Rows, format string, w io.Writer) error {
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	p := newRowPrinter(format, w, cols, nil)
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if err := p.row(vals); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return p.flush()
}

// printTable is printRows for a result held in memory, with extra keys
// added to every JSON line.
func printTable(t state.Table, format string, w io.Writer, extra map[string]any) error {
	p := newRowPrinter(format, w, t.Columns, extra)
	for _, vals := range t.Rows {
		if err := p.row(vals); err != nil {
			return err
		}
	}
	return p.flush()
}

// rowPrinter writes rows as an aligned table (flushed at the end), CSV or
// JSON lines.
type rowPrinter struct {
	format string
	cols   []string
	extra  map[string]any // added to every JSON line
	tw     *tabwriter.Writer
	cw     *csv.Writer
	enc    *json.Encoder
}

// newRowPrinter starts a result with columns cols, writing the header of a
// table or CSV.
func newRowPrinter(format string, w io.Writer, cols []string, extra map[string]any) *rowPrinter {
	p := &rowPrinter{format: format, cols: cols, extra: extra, enc: json.NewEncoder(w)}
	switch format {
	case "table":
		p.tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(p.tw, strings.Join(cols, "\t"))
	case "csv":
		p.cw = csv.NewWriter(w)
		p.cw.Write(cols)
	}
	return p
}

func (p *rowPrinter) row(vals []any) error {
	switch p.format {
	case "table":
		cells := make([]string, len(vals))
		for i, v := range vals {
			cells[i] = strings.ReplaceAll(text(v), "\t", " ")
		}
		fmt.Fprintln(p.tw, strings.Join(cells, "\t"))
	case "csv":
		cells := make([]string, len(vals))
		for i, v := range vals {
			cells[i] = text(v)
		}
		p.cw.Write(cells)
	case "json":
		obj := make(map[string]any, len(p.cols)+len(p.extra))
		for k, v := range p.extra {
			obj[k] = v
		}
		for i, c := range p.cols {
			obj[c] = vals[i]
		}
		return p.enc.Encode(obj)
	}
	return nil
}

func (p *rowPrinter) flush() error {
	if p.tw != nil {
		return p.tw.Flush()
	}
	if p.cw != nil {
		p.cw.Flush()
		return p.cw.Error()
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
