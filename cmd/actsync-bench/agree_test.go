package main

import (
	dbsql "database/sql"
	"os"
	"path/filepath"
	"testing"

	sqlfiles "github.com/actsync/actsync/sql"
)

// TestCompare builds an actsync state and a baseline database by hand and
// checks that each kind of difference is found and counted.
func TestCompare(t *testing.T) {
	const actsyncPeople = `INSERT INTO people (marketo_id, email, email_key, sales_owner_id, status, first_run_id, last_changed_run_id) VALUES
		(1, 'a@x', 'a@x', '005A', 'active', 1, 1),
		(2, 'b@x', 'b@x', '005B', 'active', 1, 1),
		(3, 'c@x', 'c@x', '005C', 'inactive', 1, 1)`
	// The actsync side's groups of its last run (run 1).
	const actsyncDups = `INSERT INTO duplicate_emails VALUES (1, 'a@x', 2, [1, 2]), (1, 'q@x', 2, [5, 6])`
	const samePeople = `(1, 'a@x', 'a@x', '005A'), (2, 'b@x', 'b@x', '005B')`
	tests := []struct {
		name     string
		baseline string // rows of the baseline's people
		dups     string // rows of the baseline's duplicate_emails; "" for actsync's
		want     agreement
	}{
		{"same duplicate groups", samePeople, `('a@x', 2, [1, 2]), ('q@x', 2, [5, 6])`,
			agreement{Agree: true, ActsyncPeople: 2, BaselinePeople: 2, ActsyncDupGroups: 2, BaseDupGroups: 2}},
		{"as many duplicate groups, other members", samePeople, `('a@x', 2, [1, 3]), ('q@x', 2, [5, 6])`,
			agreement{ActsyncPeople: 2, BaselinePeople: 2, ActsyncDupGroups: 2, BaseDupGroups: 2, DupGroupDiffs: 2}},
		{"as many duplicate groups, another key", samePeople, `('a@x', 2, [1, 2]), ('r@x', 2, [5, 6])`,
			agreement{ActsyncPeople: 2, BaselinePeople: 2, ActsyncDupGroups: 2, BaseDupGroups: 2, DupGroupDiffs: 2}},
		{"a duplicate group missing", samePeople, `('a@x', 2, [1, 2])`,
			agreement{ActsyncPeople: 2, BaselinePeople: 2, ActsyncDupGroups: 2, BaseDupGroups: 1, DupGroupDiffs: 1}},
		{"same", `(1, 'a@x', 'a@x', '005A'), (2, 'b@x', 'b@x', '005B')`, "",
			agreement{ActsyncDupGroups: 2, BaseDupGroups: 2, Agree: true, ActsyncPeople: 2, BaselinePeople: 2}},
		{"inactive person synced by the baseline", `(1, 'a@x', 'a@x', '005A'), (2, 'b@x', 'b@x', '005B'), (3, 'c@x', 'c@x', '005C')`, "",
			agreement{ActsyncDupGroups: 2, BaseDupGroups: 2, ActsyncPeople: 2, BaselinePeople: 3, OnlyBaseline: 1}},
		{"person missing", `(1, 'a@x', 'a@x', '005A')`, "",
			agreement{ActsyncDupGroups: 2, BaseDupGroups: 2, ActsyncPeople: 2, BaselinePeople: 1, OnlyActsync: 1}},
		{"owner differs", `(1, 'a@x', 'a@x', '005A'), (2, 'b@x', 'b@x', '005Z')`, "",
			agreement{ActsyncDupGroups: 2, BaseDupGroups: 2, ActsyncPeople: 2, BaselinePeople: 2, FieldDiffs: map[string]int64{"sales_owner_id": 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dups := tt.dups
			if dups == "" {
				dups = `('a@x', 2, [1, 2]), ('q@x', 2, [5, 6])`
			}
			dir := t.TempDir()
			state, base := filepath.Join(dir, "actsync"), filepath.Join(dir, "baseline")
			execAll(t, filepath.Join(state, "actions.duckdb"), sqlfiles.Text("schema/schema"), actsyncPeople, actsyncDups,
				"INSERT INTO runs (run_id, started_at, finished_at, full_export, rows_read, synced, excluded, rejected, superseded, inserted, updated, deactivated, reactivated, people_active, people_inactive, duplicate_groups, report) SELECT 1, now(), now(), false, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '{}'")
			execAll(t, filepath.Join(base, baselineDB),
				`CREATE TABLE people AS SELECT * FROM (VALUES `+tt.baseline+`) v(marketo_id, email, email_key, sales_owner_id)`,
				`ALTER TABLE people ADD COLUMN first_name VARCHAR; ALTER TABLE people ADD COLUMN last_name VARCHAR;
				 ALTER TABLE people ADD COLUMN phone VARCHAR; ALTER TABLE people ADD COLUMN company VARCHAR;
				 ALTER TABLE people ADD COLUMN title VARCHAR; ALTER TABLE people ADD COLUMN linkedin_url VARCHAR;
				 ALTER TABLE people ADD COLUMN source VARCHAR; ALTER TABLE people ADD COLUMN sfdc_lead_id VARCHAR;
				 ALTER TABLE people ADD COLUMN sfdc_contact_id VARCHAR; ALTER TABLE people ADD COLUMN sfdc_account_id VARCHAR;
				 ALTER TABLE people ADD COLUMN sfdc_opportunity_id VARCHAR`,
				`CREATE TABLE duplicate_emails (email_key VARCHAR, person_count BIGINT, marketo_ids BIGINT[])`,
				`INSERT INTO duplicate_emails VALUES `+dups)
			g, err := compare(t.Context(), state, base)
			if err != nil {
				t.Fatal(err)
			}
			if g.Agree != tt.want.Agree || g.ActsyncPeople != tt.want.ActsyncPeople || g.BaselinePeople != tt.want.BaselinePeople ||
				g.OnlyActsync != tt.want.OnlyActsync || g.OnlyBaseline != tt.want.OnlyBaseline ||
				g.ActsyncDupGroups != tt.want.ActsyncDupGroups || g.BaseDupGroups != tt.want.BaseDupGroups ||
				g.DupGroupDiffs != tt.want.DupGroupDiffs ||
				len(g.FieldDiffs) != len(tt.want.FieldDiffs) {
				t.Fatalf("got %+v, want %+v", g, tt.want)
			}
			for f, n := range tt.want.FieldDiffs {
				if g.FieldDiffs[f] != n {
					t.Errorf("%s differs for %d people, want %d", f, g.FieldDiffs[f], n)
				}
			}
			if !g.Agree && len(g.Examples) == 0 {
				t.Errorf("no examples of the difference")
			}
		})
	}
}

// execAll creates the DuckDB file path and runs stmts in it.
func execAll(t *testing.T, path string, stmts ...string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := dbsql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.ExecContext(t.Context(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}
