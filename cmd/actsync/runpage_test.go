package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	actstate "github.com/actsync/actsync/state"
)

// TestRunWritesReportPage runs two fixture days and checks each run wrote
// its page, that status --open prints the latest one's path and writes it
// again, byte for byte, when it is missing, and that a dry run writes none.
func TestRunWritesReportPage(t *testing.T) {
	state := t.TempDir()
	for _, day := range fixtureDays[:2] {
		runOK(t, append(day, "--state", state)...)
	}
	pages := map[string][]byte{}
	for _, id := range []string{"1", "2"} {
		path := filepath.Join(state, actstate.RunsDir, id+".html")
		info, err := os.Stat(path)
		if err != nil {
			t.Fatalf("run %s wrote no page: %v", id, err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", path, info.Mode().Perm())
		}
		pages[id], _ = os.ReadFile(path)
		if !bytes.Contains(pages[id], []byte("<h1>actsync run "+id+"</h1>")) {
			t.Errorf("%s is not run %s's page", path, id)
		}
	}
	// Run 2's trends are drawn from the stored reports of runs 1 and 2.
	if !bytes.Contains(pages["2"], []byte("Runs 1 to 2")) {
		t.Errorf("run 2's page does not chart runs 1 to 2")
	}

	abs, err := filepath.Abs(filepath.Join(state, actstate.RunsDir, "2.html"))
	if err != nil {
		t.Fatal(err)
	}
	if got := runOK(t, "status", "--open", "--state", state); got != abs+"\n" {
		t.Errorf("status --open printed %q, want %q", got, abs+"\n")
	}
	if err := os.Remove(abs); err != nil {
		t.Fatal(err)
	}
	if got := runOK(t, "status", "--open", "--state", state); got != abs+"\n" {
		t.Errorf("status --open printed %q, want %q", got, abs+"\n")
	}
	if again, err := os.ReadFile(abs); err != nil || !bytes.Equal(again, pages["2"]) {
		t.Errorf("status --open did not write the same page again (%v)", err)
	}

	runOK(t, append(fixtureDays[2], "--state", state, "--dry-run")...)
	if _, err := os.Stat(filepath.Join(state, actstate.RunsDir, "3.html")); err == nil {
		t.Errorf("a dry run wrote a page")
	}
	checkOwnerOnly(t, state)
	if files, _ := filepath.Glob(filepath.Join(state, actstate.RunsDir, ".*")); len(files) > 0 {
		t.Errorf("temporary files left: %v", files)
	}
}

// TestRunPageCarriesNoPersonalData runs the fixture days with activities
// and looks for every stored name, email, phone, company, title, LinkedIn
// URL and owner in the pages.
func TestRunPageCarriesNoPersonalData(t *testing.T) {
	state := t.TempDir()
	types := "../../fixtures/activities/activity_types.json"
	for _, args := range [][]string{
		fixtureDays[0],
		append(fixtureDays[1], "--activities", "../../fixtures/activities/2026-11-02", "--activity-types", types),
		append(fixtureDays[2], "--activities", "../../fixtures/activities/2026-11-03", "--activity-types", types),
	} {
		runOK(t, append(args, "--state", state)...)
	}
	out := runOK(t, "query", "--state", state, "--format", "csv",
		`SELECT DISTINCT v FROM (SELECT unnest([first_name, last_name, email, phone, company, title, linkedin_url, sales_owner_id]) AS v FROM people)
		 WHERE length(v) >= 3 ORDER BY v`)
	records, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(records) < 100 {
		t.Fatalf("personal values from people: %d, %v", len(records), err)
	}
	for _, id := range []string{"1", "2", "3"} {
		page, err := os.ReadFile(filepath.Join(state, actstate.RunsDir, id+".html"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(page, []byte(`id="activities"`)) && id != "1" {
			t.Errorf("page %s has no activities section", id)
		}
		for _, rec := range records[1:] {
			if bytes.Contains(page, []byte(rec[0])) {
				t.Errorf("page %s holds %q", id, rec[0])
			}
		}
		for _, s := range []string{"@", "example."} {
			if bytes.Contains(page, []byte(s)) {
				t.Errorf("page %s holds %q", id, s)
			}
		}
	}
}

// TestRunPageWriteFailureWarns: a page that cannot be written leaves the
// committed run standing, with one warning line and exit 0; status --open
// reports the failure.
func TestRunPageWriteFailureWarns(t *testing.T) {
	state := t.TempDir()
	// A directory where the page goes makes its rename fail, even for root.
	if err := os.MkdirAll(filepath.Join(state, actstate.RunsDir, "1.html", "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), append(fixtureDays[0], "--state", state), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "actsync: warning: run 1 is committed, but its page") {
		t.Errorf("stderr is not one warning line:\n%s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(state, actstate.RunsDir, "1.json")); err != nil {
		t.Errorf("the run report was not written: %v", err)
	}
	if files, _ := filepath.Glob(filepath.Join(state, actstate.RunsDir, ".*")); len(files) > 0 {
		t.Errorf("temporary files left: %v", files)
	}
	stdout.Reset()
	stderr.Reset()
	if code := run(context.Background(), []string{"status", "--open", "--state", state}, &stdout, &stderr); code != 1 || stdout.Len() > 0 {
		t.Errorf("status --open on an unwritable page: exit %d, stdout %q", code, stdout.String())
	}
}

func TestStatusOpenWithoutRuns(t *testing.T) {
	state := t.TempDir()
	// A dry run leaves a state with no run in it. (A failed run on a new
	// state no longer leaves one: TestFailedFirstRunLeavesNoState.)
	var stdout, stderr bytes.Buffer
	run(context.Background(), []string{"run", "--dry-run", "--people", "../../fixtures/people/day1", "--state", state}, &stdout, &stderr)
	stderr.Reset()
	if code := run(context.Background(), []string{"status", "--open", "--state", state}, &stdout, &stderr); code != 1 ||
		!strings.Contains(stderr.String(), "no run in the state yet") {
		t.Errorf("status --open without runs: exit %d, stderr %q", code, stderr.String())
	}
}

// TestOpenRemovesPageTemps: a page writer killed before its rename leaves
// a temporary file in runs/; the next writer's open removes it.
func TestOpenRemovesPageTemps(t *testing.T) {
	state := t.TempDir()
	runOK(t, append(fixtureDays[0], "--state", state)...)
	temp := filepath.Join(state, actstate.RunsDir, ".1.html-12345.tmp")
	if err := os.WriteFile(temp, []byte("<!DOCTYPE html><html><he"), 0o600); err != nil {
		t.Fatal(err)
	}
	recoverState(t, state) // a writable open, as the next run's
	if _, err := os.Stat(temp); err == nil {
		t.Errorf("open left %s", temp)
	}
	for _, f := range []string{"1.json", "1.html"} {
		if _, err := os.Stat(filepath.Join(state, actstate.RunsDir, f)); err != nil {
			t.Errorf("open removed %s: %v", f, err)
		}
	}
}
