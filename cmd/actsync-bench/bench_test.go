package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// TestMain lets the test binary stand in for the bench binary when the
// bench re-executes itself as the baseline child.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestBench runs the whole flow on a small export: generate, build
// actsync, verification round, one timed round of both sides and the delta.
func TestBench(t *testing.T) {
	if testing.Short() {
		t.Skip("builds actsync and runs both sides in child processes")
	}
	var stdout, stderr bytes.Buffer
	args := []string{"--people", "2000", "--rounds", "1", "--delta", "--work", t.TempDir()}
	if code := run(t.Context(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
	}
	out := stdout.String()
	if !strings.Contains(out, "agreement: YES") {
		t.Errorf("the sides do not agree:\n%s", out)
	}
	for _, row := range []string{sideActsync, sideBaseline, "actsync delta"} {
		if !hasRow(out, row) {
			t.Errorf("no table row %q in\n%s", row, out)
		}
	}
	for _, want := range []string{"ratio actsync/duckdb-sql", "load/snapshot people", "delta: "} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}

// hasRow reports whether a line of out starts with name followed by
// numbers.
func hasRow(out, name string) bool {
	for line := range strings.Lines(out) {
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), name))
		if strings.HasPrefix(strings.TrimSpace(line), name+" ") && len(f) >= 3 && f[0][0] >= '0' && f[0][0] <= '9' {
			return true
		}
	}
	return false
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"help", []string{"--help"}, 0},
		{"unknown flag", []string{"--nope"}, 2},
		{"zero people", []string{"--people", "0"}, 2},
		{"zero rounds", []string{"--rounds", "0"}, 2},
		{"positional", []string{"extra"}, 2},
		{"baseline without input", []string{"baseline"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if got := run(t.Context(), tt.args, &stdout, &stderr); got != tt.want {
				t.Errorf("exit %d, want %d; stderr: %s", got, tt.want, &stderr)
			}
		})
	}
}
