package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actsync/actsync/pipeline"
	sqlfiles "github.com/actsync/actsync/sql"
	"github.com/actsync/actsync/sync"
)

// truncatedExport writes the header and the first n records of day 1's
// leads file: what a --full export cut short looks like.
func truncatedExport(t *testing.T, n int) string {
	t.Helper()
	f, err := os.Open("../../fixtures/people/day1/2026-11-01-leads.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	for i := 0; i <= n; i++ {
		rec, err := r.Read()
		if err != nil {
			t.Fatal(err)
		}
		w.Write(rec)
	}
	w.Flush()
	path := filepath.Join(t.TempDir(), "truncated-full.csv")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTruncatedFullExportIsRefused(t *testing.T) {
	state := t.TempDir()
	runOK(t, "run", "--state", state, "--people", "../../fixtures/people/day1")
	before := dumpState(t, state)
	export := truncatedExport(t, 3)

	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"run", "--state", state, "--full", "--people", export}, &stdout, &stderr)
	active := 27
	synced := strings.TrimSpace(strings.Split(runOK(t, "query", "--state", state, "--format", "csv",
		"SELECT count(*) FROM people WHERE status = 'active' AND source_file LIKE '%leads.csv' AND source_line <= 4"), "\n")[1])
	var kept int
	fmt.Sscan(synced, &kept)
	deact := active - kept
	want := fmt.Sprintf("actsync: load: run 2 would deactivate %d of %d active people (%.1f%%), more than the 10%% allowed (a truncated --full export?); nothing was changed; if this is intended, rerun with --max-deactivate %d\n",
		deact, active, 100*float64(deact)/float64(active), (100*deact+active-1)/active)
	if code != 1 || stderr.String() != want {
		t.Fatalf("truncated --full run: exit %d, stderr %q\nwant exit 1, %q", code, stderr.String(), want)
	}
	if after := dumpState(t, state); after != before {
		t.Errorf("refused run changed the state:\n--- before\n%s\n--- after\n%s", before, after)
	}

	// --max-deactivate 100 lets it through.
	rep, _ := runReport(t, "run", "--state", state, "--full", "--max-deactivate", "100", "--people", export)
	if rep.Changes.Deactivate != int64(deact) || rep.DryRun != nil {
		t.Errorf("allowed run deactivated %d, want %d (dry run %v)", rep.Changes.Deactivate, deact, rep.DryRun)
	}
}

func TestMaxDeactivateUsage(t *testing.T) {
	for _, v := range []string{"-1", "101", "ten"} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), []string{"run", "--people", "x", "--max-deactivate", v}, &stdout, &stderr); code != 2 {
			t.Errorf("--max-deactivate %s: exit %d, want 2", v, code)
		}
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	state := t.TempDir()
	runOK(t, "run", "--state", state, "--people", "../../fixtures/people/day1")
	before := dumpState(t, state)
	hash := func() [32]byte {
		data, err := os.ReadFile(filepath.Join(state, "actions.duckdb"))
		if err != nil {
			t.Fatal(err)
		}
		return sha256.Sum256(data)
	}
	dbBefore := hash()

	out := runOK(t, "run", "--state", state, "--people", "../../fixtures/people/day2", "--dry-run")
	for _, want := range []string{"dry run (rolled back, nothing written): run 2:", "would insert marketo_id ", "would update marketo_id ", "would deactivate marketo_id "} {
		if !strings.Contains(out, want) {
			t.Errorf("dry-run summary does not contain %q:\n%s", want, out)
		}
	}
	if after := dumpState(t, state); after != before {
		t.Errorf("dry run changed the state:\n--- before\n%s\n--- after\n%s", before, after)
	}
	if hash() != dbBefore {
		t.Errorf("dry run changed the bytes of actions.duckdb")
	}

	// The dry run's report is what the real run then does.
	var dry, real pipeline.Report
	json.Unmarshal([]byte(runOK(t, "run", "--state", state, "--people", "../../fixtures/people/day2", "--dry-run", "--json")), &dry)
	json.Unmarshal([]byte(runOK(t, "run", "--state", state, "--people", "../../fixtures/people/day2", "--json")), &real)
	if dry.DryRun == nil || dry.Changes != real.Changes || dry.Active != real.Active {
		t.Errorf("dry run predicted %+v (active %d), real run did %+v (active %d)", dry.Changes, dry.Active, real.Changes, real.Active)
	}
	got := runOK(t, "query", "--state", state, "--format", "csv",
		"SELECT op, list(marketo_id ORDER BY marketo_id)[1:10] AS ids FROM changes WHERE run_id = 2 GROUP BY op ORDER BY op")
	var want strings.Builder
	want.WriteString("op,ids\n")
	for _, op := range []string{"deactivate", "insert", "update"} {
		var ids []string
		for _, id := range dry.DryRun.FirstIDs[op] {
			ids = append(ids, fmt.Sprint(id))
		}
		fmt.Fprintf(&want, "%s,\"[%s]\"\n", op, strings.Join(ids, ", "))
	}
	if got != want.String() {
		t.Errorf("first ids per op of the real run:\n%s\nthe dry run listed:\n%s", got, want.String())
	}
}

// TestDuckDBProfile checks ACTSYNC_DUCKDB_PROFILE: each load step leaves
// DuckDB's JSON profile of its own statement, and the run's result is the
// same as without it.
func TestDuckDBProfile(t *testing.T) {
	// The second day: a first sync takes fewer statements (no comparison
	// with the state), the profiled ones are those of every later run.
	plain, profiled, dir := t.TempDir(), t.TempDir(), t.TempDir()
	for _, state := range []string{plain, profiled} {
		runOK(t, "run", "--state", state, "--people", "../../fixtures/people/day1")
	}
	runOK(t, "run", "--state", plain, "--people", "../../fixtures/people/day2")
	t.Setenv("ACTSYNC_DUCKDB_PROFILE", dir)
	runOK(t, "run", "--state", profiled, "--people", "../../fixtures/people/day2")
	people := func(state string) string {
		return runOK(t, "query", "--state", state, "--format", "csv", "SELECT * FROM people ORDER BY marketo_id")
	}
	if a, b := people(plain), people(profiled); a != b {
		t.Errorf("profiling changed the people table:\n%s\n---\n%s", a, b)
	}
	for _, file := range []string{"people/060_changes", "people/070_update_people", "people/080_insert_people", "dedupe/duplicate_emails_delta"} {
		step := sqlfiles.Label(file)
		data, err := os.ReadFile(filepath.Join(dir, step+".json"))
		if err != nil {
			t.Fatalf("no profile for %s: %v", step, err)
		}
		var prof struct {
			Query   string  `json:"query_name"`
			Latency float64 `json:"latency"`
		}
		if err := json.Unmarshal(data, &prof); err != nil {
			t.Fatalf("%s.json: %v", step, err)
		}
		if !strings.Contains(prof.Query, sqlfiles.Text(file)) {
			t.Errorf("%s.json profiles another statement: %.80q", step, prof.Query)
		}
	}
}

// TestMemoryLimit checks --memory-limit: a size DuckDB refuses is a usage
// error before any state exists; a small one still runs (DuckDB spills),
// with the people of a run without it, and is in force in the run's session.
func TestMemoryLimit(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "refused")
	for _, args := range [][]string{
		{"run", "--people", "../../fixtures/people/day1", "--state", state, "--memory-limit", "2XB"},
		{"backfill", "--state", state, "--memory-limit", "2XB", "../../fixtures/people"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), `--memory-limit "2XB" is not a size DuckDB takes`) {
			t.Errorf("actsync %v: exit %d, stderr %q", args, code, stderr.String())
		}
		if _, err := os.Stat(state); !os.IsNotExist(err) {
			t.Errorf("actsync %v created the state: %v", args, err)
		}
	}

	plain, limited := filepath.Join(dir, "plain"), filepath.Join(dir, "limited")
	runOK(t, "run", "--state", plain, "--people", "../../fixtures/people/day1")
	runOK(t, "run", "--state", limited, "--people", "../../fixtures/people/day1", "--memory-limit", "64MB")
	people := func(state string) string {
		return runOK(t, "query", "--state", state, "--format", "csv", "SELECT * FROM people ORDER BY marketo_id")
	}
	if a, b := people(plain), people(limited); a != b {
		t.Errorf("--memory-limit changed the people table:\n%s\n---\n%s", a, b)
	}

	st, err := sync.OpenState(context.Background(), limited, nil, "64MB")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var limit string
	if err := st.Conn().QueryRowContext(context.Background(), "SELECT current_setting('memory_limit')").Scan(&limit); err != nil {
		t.Fatal(err)
	}
	if limit != "61.0 MiB" && limit != "64.0 MB" {
		t.Errorf("memory_limit in the session is %q, want 64MB", limit)
	}
}
