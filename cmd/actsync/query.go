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

	"github.com/actsync/actsync/stages/load"
)

const querySynopsis = `Usage: actsync query [--state DIR] [--format table|csv|json] SQL

Runs one read-only SQL statement against the state's actions.duckdb (tables
people, runs, inputs, changes, exclusions, rejects, duplicate_emails) and
prints the result. The database is opened read-only: nothing can change.`

func queryCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("query", querySynopsis, stderr)
	state := fs.String("state", "./actsync-data", "state `DIR`")
	format := fs.String("format", "table", "output `FORMAT`: table, csv or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "actsync query: give exactly one SQL statement (quote it)")
		fs.Usage()
		return errUsage
	}
	if *format != "table" && *format != "csv" && *format != "json" {
		fmt.Fprintf(stderr, "actsync query: unknown --format %q\n", *format)
		return errUsage
	}
	st, err := load.OpenReadOnly(ctx, *state)
	if err != nil {
		return err
	}
	defer st.Close()
	rows, err := st.Conn().QueryContext(ctx, fs.Arg(0))
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
			obj := make(map[string]any, len(cols))
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
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(v)
}
