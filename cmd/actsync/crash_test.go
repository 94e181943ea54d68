package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/actsync/actsync/pipeline"
	actstate "github.com/actsync/actsync/state"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// actsyncBinary builds the actsync command once per test binary, for tests
// that need a child process to kill.
func actsyncBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "actsync-bin-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "actsync")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// child runs the actsync binary to completion and returns its exit code,
// stdout and stderr.
func child(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(actsyncBinary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout.String(), stderr.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), stdout.String(), stderr.String()
	}
	t.Fatalf("actsync %v: %v", args, err)
	return 0, "", ""
}

// queryState runs query on a read-only connection to state and returns the
// first column of every row as text.
func queryState(t *testing.T, state, query string) []string {
	t.Helper()
	st, err := actstate.OpenReadOnly(context.Background(), state)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.Conn().QueryContext(context.Background(), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// peopleFingerprint hashes the people table without its run bookkeeping
// (first_run_id, last_changed_run_id), so that the same inputs applied to
// the same people give the same fingerprint whatever the run ids.
func peopleFingerprint(t *testing.T, state string) string {
	t.Helper()
	return queryState(t, state,
		`SELECT count(*) || ':' || coalesce(md5(string_agg(p::VARCHAR, chr(10) ORDER BY p.marketo_id)), '')
		 FROM (SELECT * EXCLUDE (first_run_id, last_changed_run_id) FROM people) p`)[0]
}

// stateFiles lists the run ids of the snapshot directories (per table), of
// runs/*.json, and the stray files (temp files, staging runs); it ignores
// the report pages runs/<id>.html.
func stateFiles(t *testing.T, state string) (snaps map[string][]int64, reports []int64, stray []string) {
	t.Helper()
	snaps = map[string][]int64{}
	tables, _ := os.ReadDir(filepath.Join(state, actstate.SnapshotDir))
	for _, tbl := range tables {
		parts, _ := os.ReadDir(filepath.Join(state, actstate.SnapshotDir, tbl.Name()))
		for _, p := range parts {
			id, err := strconv.ParseInt(strings.TrimPrefix(p.Name(), "run_id="), 10, 64)
			if err != nil {
				stray = append(stray, filepath.Join(actstate.SnapshotDir, tbl.Name(), p.Name()))
				continue
			}
			snaps[tbl.Name()] = append(snaps[tbl.Name()], id)
		}
	}
	files, _ := os.ReadDir(filepath.Join(state, actstate.RunsDir))
	for _, f := range files {
		if _, err := strconv.ParseInt(strings.TrimSuffix(f.Name(), ".html"), 10, 64); err == nil && strings.HasSuffix(f.Name(), ".html") {
			continue // a run's report page: a derived view, see runpage_test.go
		}
		id, err := strconv.ParseInt(strings.TrimSuffix(f.Name(), ".json"), 10, 64)
		if err != nil || !strings.HasSuffix(f.Name(), ".json") {
			stray = append(stray, filepath.Join(actstate.RunsDir, f.Name()))
			continue
		}
		reports = append(reports, id)
	}
	staged, _ := os.ReadDir(filepath.Join(state, ".staging"))
	for _, s := range staged {
		stray = append(stray, filepath.Join(".staging", s.Name()))
	}
	return snaps, reports, stray
}

func committedRuns(t *testing.T, state string) map[int64]bool {
	t.Helper()
	runs := map[int64]bool{}
	for _, v := range queryState(t, state, "SELECT run_id::VARCHAR FROM runs") {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			t.Fatalf("run id %q: %v", v, err)
		}
		runs[id] = true
	}
	return runs
}

// checkNoOrphans checks what holds at any moment, even before recovery: no
// snapshot directory or run report exists for a run that is not committed.
func checkNoOrphans(t *testing.T, state string) {
	t.Helper()
	runs := committedRuns(t, state)
	snaps, reports, _ := stateFiles(t, state)
	for table, ids := range snaps {
		for _, id := range ids {
			if !runs[id] {
				t.Errorf("snapshots/%s/run_id=%d exists but run %d is not committed", table, id, id)
			}
		}
	}
	for _, id := range reports {
		if !runs[id] {
			t.Errorf("runs/%d.json exists but run %d is not committed", id, id)
		}
	}
}

// checkAgreement checks a recovered state: every committed run has all its
// snapshot directories and its report, nothing else is there, no staging or
// temp file is left, and the last people snapshot equals the table.
func checkAgreement(t *testing.T, state string) {
	t.Helper()
	checkNoOrphans(t, state)
	runs := committedRuns(t, state)
	snaps, reports, stray := stateFiles(t, state)
	if len(stray) > 0 {
		t.Errorf("stray files after recovery: %v", stray)
	}
	var last int64
	for id := range runs {
		last = max(last, id)
		for _, table := range actstate.SnapshotTables {
			if !containsID(snaps[table], id) {
				t.Errorf("committed run %d has no snapshots/%s/run_id=%d", id, table, id)
			}
		}
		if !containsID(reports, id) {
			t.Errorf("committed run %d has no runs/%d.json", id, id)
			continue
		}
		data, err := os.ReadFile(filepath.Join(state, actstate.RunsDir, fmt.Sprintf("%d.json", id)))
		var rep pipeline.Report
		if err != nil || json.Unmarshal(data, &rep) != nil || rep.RunID != id {
			t.Errorf("runs/%d.json is not run %d's report: %v", id, id, err)
		}
	}
	if last > 0 {
		glob := filepath.Join(state, actstate.SnapshotDir, "people", fmt.Sprintf("run_id=%d", last), "*.parquet")
		got := queryState(t, state, `SELECT (SELECT count(*) FROM read_parquet('`+glob+`'))::VARCHAR || ' ' || (SELECT count(*) FROM people)::VARCHAR`)[0]
		if snap, table, _ := strings.Cut(got, " "); snap != table {
			t.Errorf("people snapshot of the last run %d has %q rows, the table %q", last, snap, table)
		}
	}
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// recoverState opens the state for writing, as the next `actsync run`
// would, and returns what was recovered.
func recoverState(t *testing.T, state string) []actstate.Recovery {
	t.Helper()
	st, err := actstate.Open(context.Background(), state)
	if err != nil {
		t.Fatalf("open after a kill: %v", err)
	}
	rec := st.Recovered
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return rec
}

// TestKillRunAtRandomPoints kills a child `actsync run` with SIGKILL at
// random moments of a 20k-row run and checks, after each kill, that status
// works, that tables, snapshots and reports agree, and that people is
// exactly the state before or after the killed run. ACTSYNC_CRASH_KILLS
// sets the number of kills (default 12); ACTSYNC_CRASH_PEOPLE the export
// size (default 20000).
func TestKillRunAtRandomPoints(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes for about a minute")
	}
	kills := envInt(t, "ACTSYNC_CRASH_KILLS", 12)
	people := envInt(t, "ACTSYNC_CRASH_PEOPLE", 20000)
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	n := strconv.Itoa(people)
	runOK(t, "generate", "--people", n, "--seed", "5", "--out", in)
	runOK(t, "generate", "--people", n, "--seed", "5", "--day", "1", "--out", in)
	// Two inputs whose results do not depend on history once both have run:
	// A is the initial export, which brings everyone back; B the day-1
	// delta declared a full export, which deactivates everyone else. (After
	// B, A's rows for the people B updated are stale and change nothing.)
	inputs := map[string][]string{
		"A": {"--people", filepath.Join(in, "people.csv")},
		"B": {"--people", filepath.Join(in, "people-day1.csv"), "--full", "--max-deactivate", "100"},
	}
	state := filepath.Join(dir, "state")
	fingerprint := map[string]string{}
	var runTime time.Duration
	for _, x := range []string{"A", "B", "A"} {
		start := time.Now()
		if code, _, stderr := child(t, nil, append([]string{"run", "--state", state}, inputs[x]...)...); code != 0 {
			t.Fatalf("warm-up run %s: exit %d: %s", x, code, stderr)
		}
		runTime = time.Since(start)
		fingerprint[x] = peopleFingerprint(t, state)
	}
	if fingerprint["A"] == fingerprint["B"] {
		t.Fatal("inputs A and B give the same people: the test could not tell before from after")
	}
	checkAgreement(t, state)

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	last := "A"
	outcomes := map[string]int{}
	states := 0
	for i := 0; i < kills; i++ {
		next := map[string]string{"A": "B", "B": "A"}[last]
		before := peopleFingerprint(t, state)
		if before != fingerprint[last] {
			t.Fatalf("kill %d: people before the run is not the state after %s", i, last)
		}
		cmd := exec.Command(actsyncBinary(t), append([]string{"run", "--state", state}, inputs[next]...)...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Half the kills anywhere in the run, half near its end, where the
		// commit and the publishing are.
		delay := time.Duration(rng.Int64N(int64(runTime) * 11 / 10))
		if i%2 == 1 {
			delay = runTime*6/10 + time.Duration(rng.Int64N(int64(runTime)*4/10))
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var exitErr error
		start := time.Now()
		select {
		case exitErr = <-done:
			// The machine is faster than estimated: aim the next kills at
			// the run time just seen.
			runTime = time.Since(start)
		case <-time.After(delay):
			cmd.Process.Signal(syscall.SIGKILL)
			exitErr = <-done
		}

		// Before any repair: status works and no orphan file exists.
		code, _, statusErr := child(t, nil, "status", "--state", state)
		if code != 0 {
			t.Fatalf("kill %d after %v: status exit %d: %s", i, delay, code, statusErr)
		}
		checkNoOrphans(t, state)
		rec := recoverState(t, state)
		checkAgreement(t, state)
		states++

		after := peopleFingerprint(t, state)
		var outcome string
		switch {
		case exitErr == nil:
			outcome = "finished before the kill"
		case after == before:
			outcome = "rolled back"
		case len(rec) > 0 && rec[0].Committed:
			outcome = "committed, completed by recovery"
		default:
			outcome = "committed and published before the kill"
		}
		switch after {
		case fingerprint[next]:
			last = next
		case before:
		default:
			t.Fatalf("kill %d after %v: people is neither the state before nor after run %s", i, delay, next)
		}
		if len(rec) > 0 && !strings.Contains(statusErr, "interrupted") {
			t.Errorf("kill %d: status did not report the interrupted run %d: %q", i, rec[0].RunID, statusErr)
		}
		outcomes[outcome]++
		t.Logf("kill %d at %v: %s; recovered %v", i, delay.Round(time.Millisecond), outcome, rec)
	}
	// The state still takes a normal run.
	if code, _, stderr := child(t, nil, "run", "--state", state, "--people", filepath.Join(in, "people-day1.csv")); code != 0 {
		t.Fatalf("run after the kills: exit %d: %s", code, stderr)
	}
	checkAgreement(t, state)
	states++
	t.Logf("%d kills of a %d-row run (%v each): %d states checked; outcomes %v", kills, people, runTime.Round(time.Millisecond), states, outcomes)
}

// TestKillAtEachPublishStep kills a run at each step between its journal
// and the end of publishing (state.CrashPointEnv), the window a timer rarely
// hits, and checks that the next run completes or discards it and says so
// in one line.
func TestKillAtEachPublishStep(t *testing.T) {
	tests := []struct {
		point     string
		committed bool
		recovered string // the line the next run prints
	}{
		{"before-commit", false, "actsync: discarded interrupted run 2: it died before its commit"},
		{"after-commit", true, "actsync: completed interrupted run 2: it died after its commit; published 1 snapshot files copied from their committed tables, 6 snapshot directories and runs/2.json"},
		{"after-copy", true, "actsync: completed interrupted run 2: it died after its commit; published 6 snapshot directories and runs/2.json"},
		{"after-rename", true, "actsync: completed interrupted run 2: it died after its commit; published 5 snapshot directories and runs/2.json"},
		{"after-report", true, "actsync: run 2 had been published in full before its process died; removed its leftover staging files"},
	}
	for _, tt := range tests {
		t.Run(tt.point, func(t *testing.T) {
			state := t.TempDir()
			runOK(t, "run", "--state", state, "--people", "../../fixtures/people/day1")
			before := peopleFingerprint(t, state)
			code, _, _ := child(t, []string{actstate.CrashPointEnv + "=" + tt.point},
				"run", "--state", state, "--people", "../../fixtures/people/day2")
			if code != -1 {
				t.Fatalf("child was not killed at %s: exit %d", tt.point, code)
			}
			checkNoOrphans(t, state)
			code, _, statusErr := child(t, nil, "status", "--state", state)
			wantStatus := "actsync: run 2 was interrupted before its commit"
			if tt.committed {
				wantStatus = "actsync: run 2 was interrupted after its commit"
			}
			if code != 0 || !strings.HasPrefix(statusErr, wantStatus) {
				t.Errorf("status: exit %d, stderr %q, want it to start with %q", code, statusErr, wantStatus)
			}
			if got := peopleFingerprint(t, state); (got == before) == tt.committed {
				t.Errorf("people changed = %v, want %v", got != before, tt.committed)
			}
			// The next run recovers, says so on one line, and runs.
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), []string{"run", "--state", state, "--people", "../../fixtures/people/day2"}, &stdout, &stderr); code != 0 {
				t.Fatalf("run after the kill: exit %d: %s", code, stderr.String())
			}
			if !strings.HasPrefix(stderr.String(), tt.recovered) || strings.Count(stderr.String(), "\n") != 1 {
				t.Errorf("recovery message %q, want one line starting with %q", stderr.String(), tt.recovered)
			}
			checkAgreement(t, state)
		})
	}
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}
