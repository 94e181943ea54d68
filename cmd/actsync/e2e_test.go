package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/actsync/actsync/internal/golden"
	"github.com/actsync/actsync/pipeline"
	actstate "github.com/actsync/actsync/state"
)

// goldenTables are the outputs compared after the three fixture days. Run
// bookkeeping that changes with the clock (timestamps, timings, the JSON
// report) is left out; everything else is compared as stored.
var goldenTables = map[string]string{
	"people":           `SELECT * FROM people ORDER BY marketo_id`,
	"changes":          `SELECT * FROM changes ORDER BY run_id, marketo_id`,
	"exclusions":       `SELECT * FROM exclusions ORDER BY run_id, source_file, source_line`,
	"rejects":          `SELECT * FROM rejects ORDER BY run_id, source_file, line, field`,
	"duplicate_emails": `SELECT * FROM duplicate_emails ORDER BY run_id, email_key`,
	"runs":             `SELECT * EXCLUDE (started_at, finished_at, report, as_of) FROM runs ORDER BY run_id`,
	"inputs":           `SELECT * FROM inputs ORDER BY run_id, file_index`,
}

// fixtureDays are the three nightly runs of fixtures/README.md.
var fixtureDays = [][]string{
	{"run", "--people", "../../fixtures/people/day1"},
	{"run", "--people", "../../fixtures/people/day2"},
	{"run", "--full", "--people", "../../fixtures/people/day3/2026-11-03-full.csv.gz"},
}

func runOK(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("actsync %s: exit %d: %s", strings.Join(args, " "), code, stderr.String())
	}
	return stdout.String()
}

// runReport runs actsync with args and --json, and returns the run report
// it prints and the output as printed.
func runReport(t *testing.T, args ...string) (pipeline.Report, string) {
	t.Helper()
	out := runOK(t, append(args, "--json")...)
	var rep pipeline.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("actsync %s: --json output is not a report: %v\n%s", strings.Join(args, " "), err, out)
	}
	return rep, out
}

func TestFixtureDaysGolden(t *testing.T) {
	state := t.TempDir()
	for _, day := range fixtureDays {
		runOK(t, append(day, "--state", state)...)
	}
	compareTables(t, state, filepath.Join("testdata", "golden"), goldenTables)

	// Rerunning the last day changes nothing and says so.
	out := runOK(t, append(fixtureDays[2], "--state", state)...)
	if !strings.Contains(out, "no changes") {
		t.Errorf("rerun summary does not say there were no changes:\n%s", out)
	}
	n := runOK(t, "query", "--state", state, "--format", "csv", "SELECT count(*) FROM changes WHERE run_id = 4")
	if n != "count_star()\n0\n" {
		t.Errorf("rerun wrote change rows: %q", n)
	}
}

func TestRunReportsBalanceAndSnapshotsMatchTables(t *testing.T) {
	state := t.TempDir()
	for i, day := range fixtureDays {
		rep, _ := runReport(t, append(day, "--state", state)...)
		if !rep.Rows.Balanced() || rep.Rows.Read == 0 {
			t.Errorf("day %d: rows do not balance: %+v", i+1, rep.Rows)
		}
		file, err := os.ReadFile(filepath.Join(state, actstate.RunsDir, rep.RunIDString()+".json"))
		if err != nil {
			t.Fatalf("day %d: run report file: %v", i+1, err)
		}
		var onDisk pipeline.Report
		if err := json.Unmarshal(file, &onDisk); err != nil || !reflect.DeepEqual(onDisk.Rows, rep.Rows) {
			t.Errorf("day %d: runs/%d.json differs from --json output (%v)", i+1, rep.RunID, err)
		}
	}
	if _, err := os.Stat(filepath.Join(state, ".staging", "run-1")); !os.IsNotExist(err) {
		t.Errorf("staging directory left behind: %v", err)
	}
	// Every snapshot partition equals what the tables hold for that run, and
	// a reader with hive partitioning sees the run_id column.
	for _, table := range actstate.SnapshotTables {
		if table == "people" {
			// people snapshots are the whole table after each run; the last
			// one must equal the table.
			glob := filepath.Join(state, actstate.SnapshotDir, table, "*", "*.parquet")
			want := runOK(t, "query", "--state", state, "--format", "csv",
				`SELECT * FROM people ORDER BY ALL`)
			last := runOK(t, "query", "--state", state, "--format", "csv",
				`SELECT * EXCLUDE (run_id) FROM read_parquet('`+glob+`', hive_partitioning = true) WHERE run_id = 3 ORDER BY ALL`)
			if last != want || strings.Count(want, "\n") < 2 {
				t.Errorf("people snapshot of run 3:\n%s\nthe table:\n%s", last, want)
			}
			continue
		}
		checkSnapshotsPerRun(t, state, table, "")
	}
}

// compareTables runs each query of tables on state and compares its CSV
// with dir/<name>.csv, a subtest a table.
func compareTables(t *testing.T, state, dir string, tables map[string]string) {
	t.Helper()
	for table, query := range tables {
		t.Run(table, func(t *testing.T) {
			got := runOK(t, "query", "--state", state, "--format", "csv", query)
			golden.Compare(t, filepath.Join(dir, table+".csv"), got)
		})
	}
}

// checkSnapshotsPerRun checks that the Parquet snapshots of table in state
// hold the table's rows of each run, value for value, both restricted by
// where ("" or "WHERE …"): the rows of both sides, run_id last, sorted and
// rendered as CSV, must be equal (counts alone miss a wrong value).
func checkSnapshotsPerRun(t *testing.T, state, table, where string) {
	t.Helper()
	glob := filepath.Join(state, actstate.SnapshotDir, table, "*", "*.parquet")
	snap := runOK(t, "query", "--state", state, "--format", "csv",
		`SELECT * EXCLUDE (run_id), run_id FROM read_parquet('`+glob+`', hive_partitioning = true) `+where+` ORDER BY ALL`)
	want := runOK(t, "query", "--state", state, "--format", "csv",
		`SELECT * EXCLUDE (run_id), run_id FROM `+table+` `+where+` ORDER BY ALL`)
	if snap != want {
		t.Errorf("%s snapshots per run:\n%s\nwant (from the table):\n%s", table, snap, want)
	}
}

// failingRun is a command that must exit with code, its stderr mentioning
// want.
type failingRun struct {
	name string
	args []string
	code int
	want string
}

// checkFailingRuns runs each of runs on state, which holds one committed
// run, and checks its exit code and message; then that none of them left a
// run or a staging directory behind.
func checkFailingRuns(t *testing.T, state string, runs []failingRun) {
	t.Helper()
	for _, tt := range runs {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append(tt.args, "--state", state), &stdout, &stderr)
			if code != tt.code || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, stderr.String(), tt.code, tt.want)
			}
		})
	}
	n := runOK(t, "query", "--state", state, "--format", "csv", "SELECT count(*) FROM runs")
	if n != "count_star()\n1\n" {
		t.Errorf("failed runs left runs behind: %q", n)
	}
	if entries, _ := os.ReadDir(filepath.Join(state, ".staging")); len(entries) != 0 {
		t.Errorf("staging left behind: %v", entries)
	}
}
