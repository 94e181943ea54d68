package main

import (
	"bytes"
	"context"
	dbsql "database/sql"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/actsync/actsync/internal/golden"
)

// analystRuns build the fixture state of the README's analyst queries:
// the three fixture days, with the activities of days 2 and 3. The first
// two runs are those of activityRuns.
var analystRuns = append(activityRuns[:2:2],
	[]string{"run", "--full", "--people", "../../fixtures/people/day3",
		"--activities", "../../fixtures/activities/2026-11-03",
		"--activity-types", "../../fixtures/activities/activity_types.json"})

// analystState runs analystRuns into dir/actsync-data and returns its path.
func analystState(t *testing.T, dir string, extra ...string) string {
	t.Helper()
	state := filepath.Join(dir, "actsync-data")
	for _, args := range analystRuns {
		runOK(t, append(append(args, "--state", state), extra...)...)
	}
	return state
}

// sqlBlock matches a fenced sql block of a Markdown file, indented or not.
var sqlBlock = regexp.MustCompile("(?ms)^[ \t]*```sql\n(.*?)^[ \t]*```")

// TestREADMEQueries runs every sql block of README.md and then of
// docs/*.md in name order, as printed, in a plain DuckDB opened in the
// directory that holds actsync-data/, and compares each result with
// testdata/golden/readme/query<N>.csv.
func TestREADMEQueries(t *testing.T) {
	docs, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	var blocks [][][]byte
	for _, path := range append([]string{"../../README.md"}, docs...) {
		text, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		blocks = append(blocks, sqlBlock.FindAllSubmatch(text, -1)...)
	}
	if len(blocks) < 6 {
		t.Fatalf("README.md and docs/ have %d sql blocks, want the snapshot example and the five analyst queries", len(blocks))
	}
	goldenDir, err := filepath.Abs("testdata/golden/readme")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	analystState(t, dir)
	t.Chdir(dir)
	db, err := dbsql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i, b := range blocks {
		query := string(b[1])
		rows, err := db.QueryContext(context.Background(), query)
		if err != nil {
			t.Errorf("README sql block %d fails: %v\n%s", i+1, err, query)
			continue
		}
		var out bytes.Buffer
		err = printRows(rows, "csv", &out)
		rows.Close()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Count(out.String(), "\n") < 2 {
			t.Errorf("README sql block %d returns no rows on the fixture state:\n%s", i+1, query)
		}
		golden.Compare(t, filepath.Join(goldenDir, fmt.Sprintf("query%d.csv", i+1)), out.String())
	}
}

// TestHistoryViews checks the views `actsync query` adds, on the fixture
// state: their results are golden files, and people_as_of agrees with
// the snapshot it names.
func TestHistoryViews(t *testing.T) {
	state := analystState(t, t.TempDir())
	queries := map[string]string{
		"people_history": `SELECT run_id, count(*) AS people, count(*) FILTER (WHERE status = 'active') AS active,
			bool_and(run_started_at <= run_finished_at) AS times_ok FROM people_history GROUP BY run_id ORDER BY run_id`,
		"people_as_of_run": `SELECT run_id, marketo_id, status, title, sales_owner_id FROM people_as_of(2)
			WHERE marketo_id IN (1002, 1010, 1017) ORDER BY marketo_id`,
		"field_changes": `SELECT run_id, marketo_id, op, field, old_value, new_value FROM field_changes ORDER BY ALL`,
		"owner_changes": `SELECT run_id, marketo_id, from_owner, to_owner FROM owner_changes ORDER BY ALL`,
	}
	compareTables(t, state, filepath.Join("testdata", "golden", "history"), queries)
	// A time picks the last run finished by then: before run 1, none; at
	// run 2's finish, run 2; after everything, the latest.
	finish := strings.TrimSpace(runOK(t, "query", "--state", state, "--format", "csv",
		"SELECT strftime(finished_at, '%Y-%m-%d %H:%M:%S.%f') AS t FROM runs WHERE run_id = 2"))
	finish = strings.TrimPrefix(finish, "t\n")
	for point, want := range map[string]string{"'1999-01-01'": "", "'" + finish + "'": "2", "'2999-01-01'": "3", "1": "1", "99": "3"} {
		got := strings.TrimSpace(runOK(t, "query", "--state", state, "--format", "csv",
			fmt.Sprintf("SELECT coalesce(max(run_id)::VARCHAR, '') AS r FROM people_as_of(%s)", point)))
		if got != "r\n"+want && !(want == "" && got == "r") {
			t.Errorf("people_as_of(%s) is run %q, want %q", point, got, want)
		}
	}
	// people_as_of of the latest run is the people table.
	diff := runOK(t, "query", "--state", state, "--format", "csv",
		`SELECT count(*) AS n FROM (SELECT * EXCLUDE (run_id, run_started_at, run_finished_at, as_of) FROM people_as_of(3)
		 EXCEPT ALL SELECT * FROM people)`)
	if diff != "n\n0\n" {
		t.Errorf("people_as_of(3) differs from people: %s", diff)
	}
}

// TestQueryParquet: --format parquet writes a Parquet file that DuckDB
// reads back to the same rows.
func TestQueryParquet(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	runOK(t, "run", "--state", state, "--people", "../../fixtures/people/day1")
	out := filepath.Join(dir, "out.parquet")
	data := runOK(t, "query", "--state", state, "--format", "parquet", "SELECT marketo_id, email_key FROM people ORDER BY marketo_id;")
	if !strings.HasPrefix(data, "PAR1") {
		t.Fatalf("output does not start with the Parquet magic: %q", data[:min(len(data), 8)])
	}
	if err := os.WriteFile(out, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	want := runOK(t, "query", "--state", state, "--format", "csv", "SELECT marketo_id, email_key FROM people ORDER BY marketo_id")
	got := runOK(t, "query", "--state", state, "--format", "csv", fmt.Sprintf("SELECT * FROM read_parquet('%s') ORDER BY marketo_id", out))
	if got != want || strings.Count(want, "\n") != 28 {
		t.Errorf("Parquet round trip:\n%s\nwant:\n%s", got, want)
	}
}

// TestKeepSnapshots: --keep-snapshots 2 leaves the newest two runs'
// partitions of every table and the tables whole.
func TestKeepSnapshots(t *testing.T) {
	state := analystState(t, t.TempDir(), "--keep-snapshots", "2")
	entries, err := os.ReadDir(filepath.Join(state, "snapshots"))
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range entries {
		parts, _ := os.ReadDir(filepath.Join(state, "snapshots", table.Name()))
		var names []string
		for _, p := range parts {
			names = append(names, p.Name())
		}
		// Activity tables start at run 2, so they have runs 2 and 3 too.
		if got := strings.Join(names, " "); got != "run_id=2 run_id=3" {
			t.Errorf("snapshots/%s holds %q, want run_id=2 run_id=3", table.Name(), got)
		}
	}
	if got := runOK(t, "query", "--state", state, "--format", "csv", "SELECT count(DISTINCT run_id) AS n FROM changes"); got != "n\n3\n" {
		t.Errorf("changes lost runs: %s", got)
	}
	if got := runOK(t, "query", "--state", state, "--format", "csv", "SELECT min(run_id) AS n FROM people_history"); got != "n\n2\n" {
		t.Errorf("people_history after retention starts at %s, want run 2", got)
	}
}

// TestStatusSections: status shows the runs with their as-of time,
// inputs and outcome, people by reason, and duplicate groups by size,
// without any email.
func TestStatusSections(t *testing.T) {
	state := analystState(t, t.TempDir())
	out := runOK(t, "status", "--state", state)
	for _, want := range []string{"runs (newest first)", "as_of", "inputs", "outcome", "committed, rejects to review",
		"people\n", "merged", "duplicate email groups, latest run", "people_per_group"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "@") {
		t.Errorf("status prints an email:\n%s", out)
	}
	js := runOK(t, "status", "--state", state, "--json")
	for _, want := range []string{`"section":"status_runs"`, `"section":"status_people"`, `"section":"status_duplicates"`} {
		if !strings.Contains(js, want) {
			t.Errorf("status --json lacks %s:\n%s", want, js)
		}
	}
}
