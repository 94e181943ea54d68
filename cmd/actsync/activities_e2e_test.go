package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/internal/synth"
	"github.com/actsync/actsync/reconcile/activities"
	actstate "github.com/actsync/actsync/state"
	"github.com/actsync/actsync/sync"
)

// activityRuns are the runs of fixtures/README.md's activities section, on
// one fresh state: day 1 people; day 2 people with the day-2 activities;
// then activities alone, re-delivering day 2 (a no-op) with day 3's files.
var activityRuns = [][]string{
	{"run", "--people", "../../fixtures/people/day1"},
	{"run", "--people", "../../fixtures/people/day2",
		"--activities", "../../fixtures/activities/2026-11-02",
		"--activity-types", "../../fixtures/activities/activity_types.json"},
	{"run", "--activities", "../../fixtures/activities/2026-11-02",
		"--activities", "../../fixtures/activities/2026-11-03",
		"--activity-types", "../../fixtures/activities/activity_types.json"},
}

// activityGoldenTables are compared after the three runs with
// testdata/golden/activities/<name>.csv.
var activityGoldenTables = map[string]string{
	"activities":              `SELECT * FROM activities ORDER BY marketo_guid`,
	"sales_activity_log":      `SELECT * FROM sales_activity_log ORDER BY marketo_guid`,
	"salesforce_tasks":        `SELECT * FROM salesforce_tasks ORDER BY marketo_guid`,
	"unsubscribe_violations":  `SELECT * FROM unsubscribe_violations ORDER BY marketo_guid`,
	"person_activity_summary": `SELECT * FROM person_activity_summary ORDER BY marketo_id`,
	"lifecycle_events":        `SELECT * FROM lifecycle_events ORDER BY run_id, marketo_id`,
	"changes":                 `SELECT * FROM changes ORDER BY run_id, marketo_id`,
	"people":                  `SELECT marketo_id, status, status_reason, last_changed_run_id FROM people ORDER BY marketo_id`,
	"rejects":                 `SELECT * FROM rejects WHERE run_id > 1 ORDER BY run_id, source_file, line, field`,
	"inputs":                  `SELECT * FROM inputs ORDER BY run_id, file_index`,
	"duplicate_emails":        `SELECT * FROM duplicate_emails ORDER BY run_id, email_key`,
	"run_reports":             `SELECT run_id, CAST(json_extract(report, '$.activities') AS VARCHAR) AS activities FROM runs ORDER BY run_id`,
}

func TestActivitiesGolden(t *testing.T) {
	state := t.TempDir()
	for i, args := range activityRuns {
		rep, _ := runReport(t, append(args, "--state", state)...)
		if a := rep.Activities; i > 0 && (a == nil || !a.Balanced() || a.Read == 0) {
			t.Errorf("run %d: activity counts missing or unbalanced: %+v", i+1, a)
		}
		if i == 0 && rep.Activities != nil {
			t.Errorf("run 1 has no activities but reports %+v", rep.Activities)
		}
	}
	compareTables(t, state, filepath.Join("testdata", "golden", "activities"), activityGoldenTables)

	// Snapshots of the reconciliation tables hold each run's rows.
	// person_activity_summary is one row per person, stamped with the run
	// that last recomputed it, so only the last run's partition still
	// matches the table; earlier partitions keep what those runs computed.
	for _, table := range []string{"activities", "sales_activity_log", "salesforce_tasks",
		"unsubscribe_violations", "person_activity_summary", "lifecycle_events"} {
		where := ""
		if table == "person_activity_summary" {
			where = "WHERE run_id = 3"
		}
		checkSnapshotsPerRun(t, state, table, where)
	}

	// Re-delivering everything is a no-op: no new activity, no change row.
	rep, _ := runReport(t, append(activityRuns[2], "--state", state)...)
	if a := rep.Activities; a.Loaded != 0 || a.AlreadyLoaded != 44 || rep.Changes.Total() != 0 {
		t.Errorf("re-delivery: loaded %d, already loaded %d, changes %+v", a.Loaded, a.AlreadyLoaded, rep.Changes)
	}
}

func TestActivitiesUsageAndFailures(t *testing.T) {
	state := t.TempDir()
	runOK(t, "run", "--people", "../../fixtures/people/day1", "--state", state)
	checkFailingRuns(t, state, []failingRun{
		{"full without people", []string{"run", "--full", "--activities", "../../fixtures/activities/2026-11-02"}, 2, "--full needs --people"},
		{"nothing to read", []string{"run"}, 2, "--people or --activities is required"},
		{"reminder tasks", []string{"run", "--activities", "../../fixtures/activities/2026-11-02", "--salesforce-log", "emails,tasks"}, 2, "reminder tasks"},
		{"bad template", []string{"run", "--activities", "../../fixtures/activities/2026-11-02", "--task-subject", "{{subject}}"}, 2, "unknown placeholder"},
		{"missing columns", []string{"run", "--people", "../../fixtures/people/day2", "--activities", "../../fixtures/people/bad/missing_owner_column.csv"}, 1, "no column marketoGUID"},
		{"bad types file", []string{"run", "--activities", "../../fixtures/activities/2026-11-02", "--activity-types", "../../fixtures/activities/2026-11-02/2026-11-02-sia.jsonl"}, 1, "--activity-types"},
	})
}

// BenchmarkReconcile measures an activities-only run (extract and staging
// of the export, the reconcile statements, snapshots and commit) of a
// generated Bulk Activity Extract of 1,000,000 activities against a state
// holding 100,000 generated people (synced once, outside the timer; each
// iteration starts from a copy of that state). It reports activities/s for
// the whole run and for the reconcile step alone.
func BenchmarkReconcile(b *testing.B) {
	const people, n = 100_000, 1_000_000
	dir := b.TempDir()
	write := func(name string, gen func(io.Writer) error) string {
		path := filepath.Join(dir, name)
		if err := synth.WriteFile(path, gen); err != nil {
			b.Fatal(err)
		}
		return path
	}
	peoplePath := write("people.csv", func(w io.Writer) error {
		return synth.WritePeople(w, synth.PeopleOptions{N: people, Seed: 7})
	})
	actPath := write("activities.csv", func(w io.Writer) error {
		return synth.WriteActivities(w, synth.ActivityOptions{N: n, People: people, Seed: 7})
	})
	base := filepath.Join(dir, "base")
	ctx := context.Background()
	if _, err := sync.Run(ctx, sync.Config{People: []string{peoplePath}, State: base, Mem: memory.DefaultAllocator}); err != nil {
		b.Fatal(err)
	}
	db, err := os.ReadFile(filepath.Join(base, actstate.DatabaseFile))
	if err != nil {
		b.Fatal(err)
	}
	info, _ := os.Stat(actPath)
	b.SetBytes(info.Size())
	b.ReportAllocs()
	cfg := sync.Config{Activities: []string{actPath}, Reconcile: activities.Options{LogEmails: true, LogCalls: true, TaskSubject: activities.DefaultTaskSubject}, Mem: memory.DefaultAllocator}
	var reconcile float64
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		cfg.State = filepath.Join(dir, "state", strconv.Itoa(i))
		if err := os.MkdirAll(cfg.State, 0o700); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cfg.State, actstate.DatabaseFile), db, 0o600); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := sync.Run(ctx, cfg)
		if err != nil {
			b.Fatal(err)
		}
		if a := rep.Activities; a == nil || a.Read != n || a.Loaded+a.Rejected+a.Repeated != n {
			b.Fatalf("activities not all accounted for: %+v", a)
		}
		for _, st := range rep.Stages {
			if st.Stage == "load/reconcile" {
				reconcile += st.Seconds
			}
		}
	}
	b.ReportMetric(float64(n*i)/b.Elapsed().Seconds(), "activities/s")
	b.ReportMetric(float64(n*i)/reconcile, "reconciled-activities/s")
}
