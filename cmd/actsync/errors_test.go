package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dumpState renders everything a run can change: every table and the file
// tree under the state directory.
func dumpState(t *testing.T, state string) string {
	t.Helper()
	var b strings.Builder
	for _, table := range []string{"people", "changes", "exclusions", "rejects", "duplicate_emails", "runs", "inputs"} {
		b.WriteString(runOK(t, "query", "--state", state, "--format", "csv", "SELECT * FROM "+table+" ORDER BY ALL"))
	}
	filepath.WalkDir(state, func(path string, d os.DirEntry, err error) error {
		if err == nil && d.Name() != "actions.duckdb" && d.Name() != "actions.duckdb.wal" {
			rel, _ := filepath.Rel(state, path)
			b.WriteString(rel + "\n")
		}
		return nil
	})
	return b.String()
}

func TestFailedRunChangesNothing(t *testing.T) {
	state := t.TempDir()
	runOK(t, "run", "--state", state, "--people", "../../fixtures/people/day1")
	before := dumpState(t, state)

	tests := []struct {
		name    string
		people  []string
		wantErr []string // substrings of the one-line error
	}{
		{"missing owner column", []string{"../../fixtures/people/day2", "../../fixtures/people/bad/missing_owner_column.csv"},
			[]string{"missing_owner_column.csv", "no column for sales_owner_id (sfdcLeadOwnerId,", "columns: id,"}},
		{"empty file", []string{"../../fixtures/people/bad/empty.csv"},
			[]string{"empty.csv", "empty file"}},
		{"no such path", []string{"../../fixtures/people/nope-*.csv"},
			[]string{"nope-*.csv", "matches no input file"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{"run", "--state", state}
			for _, p := range tt.people {
				args = append(args, "--people", p)
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), args, &stdout, &stderr)
			if code != 1 {
				t.Fatalf("exit %d, want 1; stderr: %s", code, stderr.String())
			}
			msg := stderr.String()
			if strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "actsync: ") {
				t.Errorf("error is not one line starting with actsync: %q", msg)
			}
			for _, want := range tt.wantErr {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not mention %q", msg, want)
				}
			}
			if after := dumpState(t, state); after != before {
				t.Errorf("failed run changed the state:\n--- before\n%s\n--- after\n%s", before, after)
			}
		})
	}
}

// TestFailedFirstRunLeavesNoState checks that a run failing before its
// commit on a state that did not exist leaves nothing behind: no directory
// (nor the parents it created), or, for a state directory that existed
// empty, nothing in it.
func TestFailedFirstRunLeavesNoState(t *testing.T) {
	brokenActivities := filepath.Join(t.TempDir(), "activities.csv")
	if err := os.WriteFile(brokenActivities, []byte("marketoGUID,leadId\n1,2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		state string // relative to a temp dir
		gone  string // relative to the temp dir: must not exist after
		args  []string
	}{
		{"missing owner column", "state", "state", []string{"--people", "../../fixtures/people/bad/missing_owner_column.csv"}},
		{"new parents too", "exports/actsync/state", "exports", []string{"--people", "../../fixtures/people/bad/missing_owner_column.csv"}},
		{"empty directory that existed", "empty", "", []string{"--people", "../../fixtures/people/bad/empty.csv"}},
		{"broken activity file", "state", "state", []string{"--people", "../../fixtures/people/day1", "--activities", brokenActivities}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			state := filepath.Join(dir, tt.state)
			if tt.gone == "" {
				if err := os.Mkdir(state, 0o700); err != nil {
					t.Fatal(err)
				}
			}
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), append([]string{"run", "--state", state}, tt.args...), &stdout, &stderr); code != 1 {
				t.Fatalf("exit %d, want 1; stderr %q", code, stderr.String())
			}
			if tt.gone != "" {
				if _, err := os.Stat(filepath.Join(dir, tt.gone)); !os.IsNotExist(err) {
					t.Errorf("%s left behind (%v)", tt.gone, err)
				}
				return
			}
			if entries, err := os.ReadDir(state); err != nil || len(entries) != 0 {
				t.Errorf("state directory after the failed run: %v, %v; want it empty", entries, err)
			}
		})
	}
}

func TestHeaderOnlyFileIsAnEmptyRun(t *testing.T) {
	state := t.TempDir()
	out := runOK(t, "run", "--state", state, "--people", "../../fixtures/people/bad/header_only.csv")
	if !strings.Contains(out, "0 rows read") || !strings.Contains(out, "no changes") {
		t.Errorf("summary of a header-only run:\n%s", out)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
	}{
		{nil, 2},
		{[]string{"frobnicate"}, 2},
		{[]string{"run"}, 2},
		{[]string{"run", "--bogus"}, 2},
		{[]string{"run", "--help"}, 0},
		{[]string{"query", "--state", "/nonexistent/state", "SELECT 1"}, 1},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), tt.args, &stdout, &stderr); code != tt.code {
			t.Errorf("actsync %v: exit %d, want %d (stderr %q)", tt.args, code, tt.code, stderr.String())
		}
	}
}

func TestHostileStatePath(t *testing.T) {
	// Quotes, a semicolon, spaces and non-ASCII in the state path reach
	// DuckDB only through bound parameters and sql.QuoteString.
	state := filepath.Join(t.TempDir(), `it's a "state"; DROP TABLE people; -- ü`)
	runOK(t, "run", "--state", state, "--people", "../../fixtures/people/day1")
	got := runOK(t, "query", "--state", state, "--format", "csv", "SELECT count(*) FROM people")
	if got != "count_star()\n27\n" {
		t.Errorf("people after a run in a hostile path: %q", got)
	}
	snaps, _ := filepath.Glob(filepath.Join(state, "snapshots", "people", "run_id=1", "*.parquet"))
	if len(snaps) != 1 {
		t.Errorf("people snapshot files: %v", snaps)
	}
}
