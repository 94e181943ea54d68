package main

import (
	"context"
	dbsql "database/sql"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" driver
)

// baselineSQL is the plain-DuckDB-SQL baseline (see the file's comment).
//
//go:embed baseline.sql
var baselineSQL string

// baselineDB is the baseline's database file inside its state directory.
const baselineDB = "baseline.duckdb"

// baselineCmd is the hidden `actsync-bench baseline --people FILE` child:
// it creates baseline.duckdb in the working directory, runs baseline.sql
// against FILE and writes people.parquet beside it. It is a subcommand so
// that the bench can measure the baseline's peak RSS alone.
func baselineCmd(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("baseline", flag.ContinueOnError)
	fs.SetOutput(stderr)
	people := fs.String("people", "", "input people CSV `FILE`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *people == "" || fs.NArg() > 0 {
		return errors.New("baseline: --people FILE is required")
	}
	return runBaseline(ctx, "baseline.sql", baselineSQL, map[string]string{"people_file": *people})
}

// runBaseline runs script (named name in errors) in baselineDB, in the
// working directory, on one connection (variables and temp macros belong
// to one), after setting each of files as a variable holding the file's
// absolute path.
func runBaseline(ctx context.Context, name, script string, files map[string]string) error {
	db, err := dbsql.Open("duckdb", baselineDB)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for variable, file := range files {
		abs, err := filepath.Abs(file)
		if err != nil {
			return err
		}
		if _, err := conn.ExecContext(ctx, "SET VARIABLE "+variable+" = ?", abs); err != nil {
			return err
		}
	}
	if _, err := conn.ExecContext(ctx, script); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := conn.Close(); err != nil {
		return err
	}
	return db.Close()
}
