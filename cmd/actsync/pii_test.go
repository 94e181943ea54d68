package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// piiValues are the names, email fragments and phone numbers written in
// testdata/pii; none may reach stdout or stderr.
var piiValues = []string{"@", "example.com", "555 01", "Zelda", "Quuxington", "Yorick", "Brambleby", "Xavia",
	"Plumtree", "Wendel", "Thistlewood", "Vera", "Unclosed", "Ulrika", "Ophelia", "Tinkerly"}

// TestOutputCarriesNoPII feeds rows that hit every reject reason (malformed
// row: field count, quote, NUL byte, non-object and broken JSON; invalid
// Marketo id; invalid Salesforce id, updatedAt and unsubscribed) and the
// whole-file errors, and checks that nothing printed carries a value.
func TestOutputCarriesNoPII(t *testing.T) {
	state := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"every reject reason", []string{"run", "--people", "testdata/pii/rows.csv", "--people", "testdata/pii/nul.csv", "--people", "testdata/pii/rows.jsonl"}, 0},
		{"every reject reason, json", []string{"run", "--json", "--people", "testdata/pii/rows.csv", "--people", "testdata/pii/nul.csv", "--people", "testdata/pii/rows.jsonl"}, 0},
		{"dry run", []string{"run", "--dry-run", "--full", "--max-deactivate", "100", "--people", "testdata/pii/rows.jsonl"}, 0},
		{"headerless file", []string{"run", "--people", "testdata/pii/headerless.csv"}, 1},
		{"mass change", []string{"run", "--full", "--people", "testdata/pii/rows.jsonl"}, 1},
		{"status", []string{"status"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append(tt.args, "--state", state), &stdout, &stderr)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, stderr.String())
			}
			out := stdout.String() + stderr.String()
			for _, v := range piiValues {
				if strings.Contains(out, v) {
					t.Errorf("output carries %q:\n%s", v, out)
				}
			}
		})
	}
	// The rejects table does keep the raw rows: that is its purpose.
	raw := runOK(t, "query", "--state", state, "--format", "csv", "SELECT count(*) FROM rejects WHERE raw LIKE '%@example.com%'")
	if raw == "count_star()\n0\n" {
		t.Errorf("rejects lost their raw rows")
	}
}

// checkOwnerOnly fails for any directory under state not 0700 or file not
// 0600.
func checkOwnerOnly(t *testing.T, state string) {
	t.Helper()
	n := 0
	filepath.WalkDir(state, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Error(err)
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		want := os.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if info.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", path, info.Mode().Perm(), want)
		}
		n++
		return nil
	})
	if n < 10 {
		t.Errorf("only %d entries under %s", n, state)
	}
}

func TestStateIsOwnerOnly(t *testing.T) {
	// In process, with the test's umask: load tightens what it finds and
	// chmods DuckDB's snapshot files.
	state := filepath.Join(t.TempDir(), "state")
	if err := os.MkdirAll(filepath.Join(state, "snapshots"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, day := range fixtureDays {
		runOK(t, append(day, "--state", state)...)
	}
	checkOwnerOnly(t, state)

	// The command sets umask 077, so DuckDB's own files are owner-only from
	// their creation.
	state = filepath.Join(t.TempDir(), "child")
	for _, day := range fixtureDays {
		if code, _, stderr := child(t, nil, append(day, "--state", state)...); code != 0 {
			t.Fatalf("%v: exit %d: %s", day, code, stderr)
		}
	}
	checkOwnerOnly(t, state)
}
