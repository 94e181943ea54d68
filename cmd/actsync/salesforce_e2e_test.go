package main

import (
	"path/filepath"
	"strings"
	"testing"
)

const sfFixtures = "../../fixtures/salesforce/"

// salesforceDay1 and salesforceDay2 are the two-way runs of
// fixtures/README.md's salesforce section, after the day-1 and day-2
// people runs.
var (
	salesforceDay1 = []string{"run",
		"--actions-tasks", sfFixtures + "2026-11-20/actions_tasks.csv",
		"--salesforce-tasks", sfFixtures + "2026-11-20/salesforce_tasks.csv",
		"--actions-unsubscribes", sfFixtures + "2026-11-20/actions_unsubscribes.csv",
		"--salesforce-optouts", sfFixtures + "2026-11-20/salesforce_optouts.csv",
		"--task-sync-since", "2026-11-01", "--as-of", "2026-11-20T12:00:00Z"}
	salesforceDay2 = []string{"run",
		"--actions-tasks", sfFixtures + "2026-11-21/actions_tasks.jsonl",
		"--salesforce-tasks", sfFixtures + "2026-11-21/salesforce_tasks.csv",
		"--task-sync-since", "2026-11-01", "--as-of", "2026-11-21T12:00:00Z"}
)

// salesforceGoldenTables are compared after the runs with
// testdata/golden/salesforce/<name>.csv.
var salesforceGoldenTables = map[string]string{
	"task_changes_to_salesforce":   `SELECT * FROM task_changes_to_salesforce ORDER BY ALL`,
	"task_changes_to_actions":      `SELECT * FROM task_changes_to_actions ORDER BY ALL`,
	"task_conflicts":               `SELECT * FROM task_conflicts ORDER BY ALL`,
	"optout_changes_to_salesforce": `SELECT * FROM optout_changes_to_salesforce ORDER BY ALL`,
	"optout_changes_to_actions":    `SELECT * FROM optout_changes_to_actions ORDER BY ALL`,
	"task_links":                   `SELECT * FROM task_links ORDER BY ALL`,
	"optout_state":                 `SELECT * FROM optout_state ORDER BY ALL`,
	"rejects":                      `SELECT * FROM rejects WHERE run_id > 2 ORDER BY ALL`,
	"inputs":                       `SELECT * FROM inputs WHERE run_id > 2 ORDER BY run_id, file_index`,
	"run_reports":                  `SELECT run_id, CAST(json_extract(report, '$.salesforce') AS VARCHAR) AS salesforce FROM runs WHERE run_id > 2 ORDER BY run_id`,
}

// TestSalesforceGolden runs day-1 and day-2 people, then each two-way day
// twice: the second, identical run of a day must change nothing.
func TestSalesforceGolden(t *testing.T) {
	state := t.TempDir()
	runOK(t, "run", "--people", "../../fixtures/people/day1", "--state", state)
	runOK(t, "run", "--people", "../../fixtures/people/day2", "--state", state)
	for _, day := range [][]string{salesforceDay1, salesforceDay2} {
		for i := range 2 {
			rep, out := runReport(t, append(day, "--state", state)...)
			c := rep.Salesforce
			if c == nil || c.Read == 0 {
				t.Fatalf("run %d: no salesforce counts: %s", rep.RunID, out)
			}
			changes := c.TasksCreateSF + c.TasksUpdateSF + c.TasksCreateActions + c.TasksUpdateActions +
				c.TasksDeleteActions + c.TaskConflicts + c.OptoutsToSF + c.OptoutsToActions
			if i == 0 && changes == 0 {
				t.Errorf("run %d changed nothing", rep.RunID)
			}
			if i == 1 && changes != 0 {
				t.Errorf("run %d repeats run %d and must change nothing: %+v", rep.RunID, rep.RunID-1, c)
			}
			if rep.Changes.Total() != 0 {
				t.Errorf("run %d changed people: %+v", rep.RunID, rep.Changes)
			}
		}
	}
	compareTables(t, state, filepath.Join("testdata", "golden", "salesforce"), salesforceGoldenTables)

	// Each output table's snapshots hold each run's rows.
	for _, table := range []string{"task_changes_to_salesforce", "task_changes_to_actions", "task_conflicts",
		"optout_changes_to_salesforce", "optout_changes_to_actions"} {
		checkSnapshotsPerRun(t, state, table, "")
	}

	// The summary names the two-way counts.
	out := runOK(t, append(salesforceDay2, "--state", state)...)
	if !strings.Contains(out, "tasks: 6 SIA") || !strings.Contains(out, "0 conflicts") {
		t.Errorf("summary:\n%s", out)
	}
}

func TestSalesforceUsageAndFailures(t *testing.T) {
	state := t.TempDir()
	runOK(t, "run", "--people", "../../fixtures/people/day1", "--state", state)
	tasks := []string{"--actions-tasks", sfFixtures + "2026-11-20/actions_tasks.csv", "--salesforce-tasks", sfFixtures + "2026-11-20/salesforce_tasks.csv"}
	checkFailingRuns(t, state, []failingRun{
		{"one task side", []string{"run", "--actions-tasks", sfFixtures + "2026-11-20/actions_tasks.csv", "--task-sync-since", "2026-11-01"}, 2, "go together"},
		{"no sync-since", append([]string{"run"}, tasks...), 2, "--task-sync-since is required"},
		{"sync-since alone", []string{"run", "--people", "../../fixtures/people/day1", "--task-sync-since", "2026-11-01"}, 2, "--task-sync-since needs"},
		{"bad as-of", append([]string{"run", "--task-sync-since", "2026-11-01", "--as-of", "yesterday"}, tasks...), 2, "--as-of"},
		{"bad sync-since", append([]string{"run", "--task-sync-since", "last week"}, tasks...), 2, "--task-sync-since"},
		{"wrong file", []string{"run", "--salesforce-optouts", sfFixtures + "2026-11-20/actions_tasks.csv"}, 1, "no column id"},
		{"missing file", []string{"run", "--salesforce-optouts", sfFixtures + "nope.csv"}, 1, "nope.csv"},
	})
}
