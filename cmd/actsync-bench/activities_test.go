package main

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
)

// TestBenchActivities runs the activities mode on a tiny workload:
// generate, people sync, verification round, one timed round of both
// sides, as text and as JSON.
func TestBenchActivities(t *testing.T) {
	if testing.Short() {
		t.Skip("builds actsync and runs both sides in child processes")
	}
	work := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"--activities", "3000", "--people", "500", "--rounds", "1", "--work", work}
	if code := run(t.Context(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
	}
	out := stdout.String()
	if !strings.Contains(out, "agreement: YES") {
		t.Errorf("the sides do not agree:\n%s", out)
	}
	for _, row := range []string{sideActsync, sideBaseline} {
		if !hasRow(out, row) {
			t.Errorf("no table row %q in\n%s", row, out)
		}
	}
	for _, want := range []string{"ratio actsync/duckdb-sql", "activities/extract", "reconcile/activity_match", "salesforce_tasks: "} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}

	// Again as JSON, reusing the generated exports and the built binary.
	stdout.Reset()
	stderr.Reset()
	args = append(args, "--json", "--actsync", work+"/bin/actsync")
	if code := run(t.Context(), args, &stdout, &stderr); code != 0 {
		t.Fatalf("--json: exit %d\nstderr:\n%s", code, &stderr)
	}
	var res actResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("--json output: %v\n%s", err, &stdout)
	}
	if !res.Reused || res.Activities != 3000 || res.People != 500 || !res.Agreement.Agree ||
		len(res.Sides) != 2 || res.Ratio <= 0 || res.Sides[0].PeakRSSMiB <= 0 {
		t.Errorf("--json result: %+v", res)
	}
	var tasks, log int64
	for _, tb := range res.Agreement.Tables {
		switch tb.Table {
		case "salesforce_tasks":
			tasks = tb.Actsync
		case "sales_activity_log":
			log = tb.Actsync
		}
	}
	if tasks == 0 || log == 0 {
		t.Errorf("the workload has no sales log or task rows to compare: %+v", res.Agreement.Tables)
	}
}

// TestCompareActivitiesDisagrees checks that the comparison looks at row
// content: one changed task subject on the baseline side is a disagreement.
func TestCompareActivitiesDisagrees(t *testing.T) {
	if testing.Short() {
		t.Skip("builds actsync and runs both sides in child processes")
	}
	work := t.TempDir()
	args := []string{"--activities", "2000", "--people", "300", "--rounds", "1", "--keep", "--work", work}
	if code := run(t.Context(), args, io.Discard, io.Discard); code != 0 {
		t.Fatalf("exit %d", code)
	}
	round := work + "/activities-runs/round-1"
	execAll(t, round+"/baseline/"+baselineDB,
		"UPDATE salesforce_tasks SET subject = subject || ' x' WHERE rowid = (SELECT min(rowid) FROM salesforce_tasks)")
	g, err := compareActivities(t.Context(), round+"/actsync", round+"/baseline")
	if err != nil {
		t.Fatal(err)
	}
	if g.Agree {
		t.Fatalf("a changed task subject still agrees: %+v", g)
	}
	for _, tb := range g.Tables {
		if tb.Table == "salesforce_tasks" && (tb.OnlyActsync != 1 || tb.OnlyBaseline != 1) {
			t.Errorf("salesforce_tasks: %+v, want one row only on each side", tb)
		}
	}
}
