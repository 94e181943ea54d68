package main

import (
	dbsql "database/sql"
	"path/filepath"
	"strings"
	"testing"

	actstate "github.com/actsync/actsync/state"
)

// TestPersonExitsRebuiltFromHistory checks that person_exits, kept run by
// run (sql/finish/020_update_person_exits.sql), equals what sql/schema/fill_person_exits.sql
// builds from the whole history: the path a state made before the table
// takes at its next writable open.
func TestPersonExitsRebuiltFromHistory(t *testing.T) {
	state := t.TempDir()
	// Exclusions (days 1-2), Merge Leads and Delete Lead events (the
	// activity runs), and a --full run (day 3).
	for _, args := range append(activityRuns, fixtureDays[2]) {
		runOK(t, append(args, "--state", state)...)
	}
	const q = "SELECT * FROM person_exits ORDER BY marketo_id"
	kept := runOK(t, "query", "--state", state, "--format", "csv", q)
	if dups := runOK(t, "query", "--state", state, "--format", "csv",
		"SELECT marketo_id FROM person_exits GROUP BY ALL HAVING count(*) > 1"); dups != "marketo_id\n" {
		t.Errorf("people with more than one person_exits row:\n%s", dups)
	}
	reasons := runOK(t, "query", "--state", state, "--format", "csv", "SELECT DISTINCT reason FROM person_exits ORDER BY ALL")
	for _, want := range []string{"merged", "deleted_in_marketo", "no_sales_owner", "owner_is_queue"} {
		if !strings.Contains(reasons, want) {
			t.Errorf("person_exits has no %s exit; reasons:\n%s", want, reasons)
		}
	}

	db, err := dbsql.Open("duckdb", filepath.Join(state, actstate.DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("DROP TABLE person_exits"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	recoverState(t, state) // a writable open, as the next run's
	if rebuilt := runOK(t, "query", "--state", state, "--format", "csv", q); rebuilt != kept {
		t.Errorf("person_exits rebuilt from history:\n%s\nkept run by run:\n%s", rebuilt, kept)
	}
}
