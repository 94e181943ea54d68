package salesforce

import (
	"context"
	dbsql "database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/actsync/actsync/internal/golden"
	sqlfiles "github.com/actsync/actsync/sql"
	"github.com/actsync/actsync/stages/extract"
	"github.com/actsync/actsync/stages/load"
)

var _ load.Step = (*Reconcile)(nil)

// sqlState is the state before run 7: the people, and what run 6 left in
// task_links and optout_state.
const sqlState = `
INSERT INTO people (marketo_id, email, email_key, sfdc_lead_id, sfdc_contact_id, sfdc_account_id,
    sfdc_opportunity_id, sales_owner_id, marketo_unsubscribed, status, status_reason,
    first_run_id, last_changed_run_id) VALUES
 (1, 'ann@x.example', 'ann@x.example', '00Q000000000001AAA', NULL, NULL, NULL, '005000000000001AAA', false, 'active', NULL, 1, 1),
 (2, 'Bob@x.example', 'bob@x.example', '00Q000000000002AAA', '003000000000002AAA', '001000000000002AAA', '006000000000002AAA', 'rep@sales.example.com', true, 'active', NULL, 1, 1),
 (3, 'dup@x.example', 'dup@x.example', NULL, NULL, NULL, NULL, '005000000000001AAA', false, 'active', NULL, 1, 1),
 (4, 'Dup@x.example', 'dup@x.example', NULL, '003000000000004AAA', '001000000000004AAA', NULL, '005000000000001AAA', false, 'inactive', 'no_sales_owner', 1, 1),
 (5, 'eve@x.example', 'eve@x.example', '00Q000000000005AAA', NULL, NULL, NULL, '005000000000001AAA', true, 'active', NULL, 1, 1),
 (6, 'fay@x.example', 'fay@x.example', '00Q000000000006AAA', NULL, NULL, NULL, '005000000000001AAA', true, 'active', NULL, 1, 1);
INSERT INTO task_links VALUES
 ('T-1', '00T000000000001EAA', 1, 'paired_by_link',
  'Call', '2026-11-10', false, '2026-11-01 09:00:00', 'Call', '2026-11-10', false, '2026-11-01 09:05:00',
  'Call', '2026-11-10', false, NULL, 6, 6),
 ('T-2', NULL, 1, 'created_in_salesforce',
  'Pending', '2026-11-12', false, '2026-11-01 10:00:00', NULL, NULL, NULL, NULL,
  'Pending', '2026-11-12', false, NULL, 6, 6);
INSERT INTO optout_state VALUES ('salesforce', 5, '00Q000000000005AAA', 6);
`

// sqlInputs are run 7's four exports (as of 2026-11-20 12:00 UTC, task
// sync enabled on 2026-11-01); each row says what it exercises.
var sqlInputs = map[*Input]string{
	ActionsTasks: `task_id,marketo_id,email,subject,due_date,completed,created_at,updated_at,salesforce_task_id
T-1,1,,Call Ann,2026-11-10,false,2026-11-01T09:00:00Z,2026-11-19T10:00:00Z,00T000000000001
T-2,1,,Pending,2026-11-12,false,2026-11-01T10:00:00Z,2026-11-01T10:00:00Z,
T-3,,BOB@x.example,Demo,2026-11-15,false,2026-11-05T10:00:00Z,2026-11-05T10:00:00Z,
T-4,3,,No ids,2026-11-15,false,2026-11-05T10:00:00Z,2026-11-05T10:00:00Z,
T-5,,dup@x.example,Whose?,2026-11-15,false,2026-11-05T10:00:00Z,2026-11-05T10:00:00Z,
T-6,2,,Old,2026-10-05,false,2026-10-01T10:00:00Z,2026-10-01T10:00:00Z,
T-7,1,,Dup,2026-11-18,false,2026-11-05T10:00:00Z,2026-11-05T10:00:00Z,
T-8,1,,dup,2026-11-18,false,2026-11-05T10:00:00Z,2026-11-05T10:00:00Z,
T-9,99,,Unknown person,2026-11-18,false,2026-11-05T10:00:00Z,2026-11-05T10:00:00Z,
T-10,2,,Linked deleted,2026-11-18,false,2026-11-05T10:00:00Z,2026-11-05T10:00:00Z,00T000000000010AAA
T-11,2,,Stale copy,2026-11-18,false,2026-11-05T10:00:00Z,2026-11-04T10:00:00Z,
T-11,2,,Newest copy,2026-11-18,false,2026-11-05T10:00:00Z,2026-11-06T10:00:00Z,
`,
	SalesforceTasks: `Id,WhoId,WhatId,OwnerId,Subject,ActivityDate,Status,IsClosed,TaskSubtype,LastModifiedDate,IsDeleted
00T000000000001EAA,00Q000000000001AAA,,005000000000001AAA,Call Bob,2026-11-10,Completed,true,Task,2026-11-19T11:00:00.000+0000,false
00T000000000002AAA,00Q000000000001AAA,,005000000000001AAA,pending ,2026-11-12,In Progress,false,Task,2026-11-19T08:00:00.000+0000,false
00T000000000007AAA,00Q000000000001AAA,,005000000000001AAA,Dup,2026-11-18,Not Started,false,Task,2026-11-20T09:00:00.000+0000,false
00T000000000010AAA,003000000000002AAA,,005000000000001AAA,Linked deleted,2026-11-18,Not Started,false,Task,2026-11-18T08:00:00.000+0000,true
00T000000000011AAA,003000000000002AAA,,005000000000001AAA,From Salesforce,2026-11-21,Not Started,false,,2026-11-20T06:00:00.000+0000,false
00T000000000012AAA,00Q000000000005AAA,,005000000000001AAA,Old Salesforce task,2026-11-05,Not Started,false,Task,2026-11-01T06:00:00.000+0000,false
00T000000000013AAA,003000000000004AAA,,005000000000001AAA,Inactive person,2026-11-21,Not Started,false,Task,2026-11-20T06:00:00.000+0000,false
00T000000000014AAA,00Q000000000001AAA,,005000000000001AAA,Email: Hello,2026-11-19,Completed,true,Email,2026-11-20T06:00:00.000+0000,false
00T000000000015AAA,00Q000000000001AAA,,005000000000001AAA,Deleted long ago,2026-10-01,Not Started,false,Task,2026-10-01T06:00:00.000+0000,true
00T000000000016AAA,00Q000000000099AAA,,005000000000001AAA,Unknown who,2026-11-21,Not Started,false,Task,2026-11-20T06:00:00.000+0000,false
`,
	ActionsUnsubscribes: `marketo_id,email,unsubscribed,unsubscribed_at
1,,true,2026-11-19T10:00:00Z
,DUP@x.example,true,2026-11-19T10:00:00Z
5,,false,2026-11-19T10:00:00Z
77,,true,2026-11-19T10:00:00Z
`,
	SalesforceOptouts: `Id,Email,HasOptedOutOfEmail,LastModifiedDate
00Q000000000002AAA,bob@x.example,true,2026-11-19T10:00:00.000+0000
00Q000000000001AAA,ann@x.example,false,2026-11-19T10:00:00.000+0000
00Q000000000005AAA,eve@x.example,false,2026-11-19T10:00:00.000+0000
003000000000099AAA,who@x.example,true,2026-11-19T10:00:00.000+0000
`,
}

// sqlDumps is what each statement is judged by: the query whose result is
// compared with testdata/golden/sql/<statement>.csv after it runs.
var sqlDumps = map[string]string{
	"activity_insert_rejects":       `SELECT * EXCLUDE (source_file) FROM rejects ORDER BY ALL`,
	"sf_stage_actions_tasks":        `SELECT * EXCLUDE (source_file) FROM sf_sia ORDER BY ALL`,
	"sf_stage_salesforce_tasks":     `SELECT * FROM sf_sf ORDER BY ALL`,
	"sf_stage_actions_unsubscribes": `SELECT * EXCLUDE (source_file) FROM sf_sia_unsub ORDER BY ALL`,
	"sf_stage_salesforce_optouts":   `SELECT * FROM sf_sf_optout ORDER BY ALL`,
	"sf_task_pairs": `SELECT pair_no, kind, action, actions_task_id, salesforce_task_id, marketo_id, a_present, s_present,
		base_a_present, base_s_present, a_subject, s_subject, a_completed, s_is_closed, link_a IS NOT NULL AS has_link_a, link_s IS NOT NULL AS has_link_s
		FROM sf_pairs ORDER BY pair_no`,
	"sf_task_fields":          `SELECT * FROM sf_fields ORDER BY pair_no, field`,
	"sf_task_conflicts":       `SELECT * FROM task_conflicts ORDER BY ALL`,
	"sf_task_to_salesforce":   `SELECT * FROM task_changes_to_salesforce ORDER BY ALL`,
	"sf_task_to_actions":      `SELECT * FROM task_changes_to_actions ORDER BY ALL`,
	"sf_task_links_delete":    `SELECT actions_task_id, salesforce_task_id FROM task_links ORDER BY ALL`,
	"sf_task_links_insert":    `SELECT * FROM task_links ORDER BY ALL`,
	"sf_optout_people":        `SELECT * FROM sf_optouts ORDER BY ALL`,
	"sf_optout_to_salesforce": `SELECT * FROM optout_changes_to_salesforce ORDER BY ALL`,
	"sf_optout_to_actions":    `SELECT * FROM optout_changes_to_actions ORDER BY ALL`,
	"sf_optout_state":         `SELECT * FROM optout_state ORDER BY ALL`,
}

var (
	sqlAsOf  = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	sqlSince = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
)

// stageInputs writes sqlInputs as CSV files and stages them.
func stageInputs(t *testing.T, dir string, mem memory.Allocator) *Staged {
	t.Helper()
	sources := Sources{}
	for in, data := range sqlInputs {
		path := filepath.Join(dir, in.Name+".csv")
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		sources[in.Name] = []extract.Source{{Path: path, Format: extract.CSV}}
	}
	staged, err := Extract(context.Background(), sources, mem, dir)
	if err != nil {
		t.Fatal(err)
	}
	return staged
}

// sqlFinal are the goldens of the tables a run keeps, each judged again
// after the run has committed and the database file has been reopened: the
// golden of the last statement that writes the table, and the inputs the
// step recorded (paths as file names, the hash left out: both depend on the
// temporary directory's contents).
var sqlFinal = map[string]string{
	"sf_insert_input":         `SELECT * EXCLUDE (sha256) REPLACE (parse_filename(path) AS path) FROM inputs ORDER BY file_index`,
	"activity_insert_rejects": sqlDumps["activity_insert_rejects"],
	"sf_task_conflicts":       sqlDumps["sf_task_conflicts"],
	"sf_task_to_salesforce":   sqlDumps["sf_task_to_salesforce"],
	"sf_task_to_actions":      sqlDumps["sf_task_to_actions"],
	"sf_task_links_insert":    sqlDumps["sf_task_links_insert"],
	"sf_optout_to_salesforce": sqlDumps["sf_optout_to_salesforce"],
	"sf_optout_to_actions":    sqlDumps["sf_optout_to_actions"],
	"sf_optout_state":         sqlDumps["sf_optout_state"],
}

// sqlSchemaDump lists the columns of the tables schema/sf_schema.sql creates.
const sqlSchemaDump = `SELECT table_name, column_name, data_type FROM information_schema.columns
	WHERE table_name IN ('task_links', 'optout_state', 'task_changes_to_salesforce', 'task_changes_to_actions',
	                     'task_conflicts', 'optout_changes_to_salesforce', 'optout_changes_to_actions')
	ORDER BY table_name, ordinal_position`

// TestSQLGolden runs the step's Apply, the code a run calls, on a small
// real DuckDB file as run 7 and compares what each statement wrote with its
// golden file as it goes (through afterStatement, inside Apply's
// transaction), then the counts Apply reports; after the commit it reopens
// the file and compares the tables a run keeps again. Then it applies the
// same inputs as run 8, which must produce no change row.
func TestSQLGolden(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "t.duckdb")
	db, conn := golden.OpenDB(t, dbPath)
	// The state run 6 left: the tables of every run, then the people and
	// the two-way state (which needs sf_schema's tables).
	for _, q := range []string{sqlfiles.Text("schema/schema"), sqlfiles.Text("schema/sf_schema"), sqlState} {
		if _, err := conn.ExecContext(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}

	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	staged := stageInputs(t, dir, mem)
	opts := Options{AsOf: sqlAsOf, TaskSyncSince: sqlSince}
	const runID = 7

	// Inside Apply, after each statement: what it wrote so far, read in
	// Apply's transaction.
	seen := map[string]bool{}
	r := &Reconcile{Staged: staged, Options: opts}
	r.afterStatement = func(tx *dbsql.Tx, name string) {
		seen[name] = true
		switch name {
		case "sf_schema":
			sqlGolden(t, "sf_schema", golden.Query(t, tx, sqlSchemaDump))
		case "sf_task_pairs":
			sqlGolden(t, "sf_task_actions", golden.Query(t, tx, sqlfiles.Text("salesforce/sf_task_actions")))
		}
		if q, ok := sqlDumps[name]; ok {
			sqlGolden(t, name, golden.Query(t, tx, q))
		}
	}
	report := golden.ApplyRun(t, conn, r, runID, nil)
	golden.CheckApplied(t, conn, seen, sqlDumps)
	c := report.Salesforce
	if c == nil {
		t.Fatal("Apply left report.Salesforce nil")
	}
	if !reflect.DeepEqual(c.Inputs, staged.Inputs) {
		t.Errorf("report inputs %+v, want the staged %+v", c.Inputs, staged.Inputs)
	}
	c.Inputs = nil
	sqlGolden(t, "sf_counts", fmt.Sprintf("%+v\n", *c))

	// What run 7 committed, read back from the reopened file.
	db, conn = golden.Reopen(t, db, conn, dbPath)
	for name, q := range sqlFinal {
		sqlGolden(t, name, golden.Query(t, conn, q))
	}

	// The same inputs again, as run 8: nothing to change on either side.
	golden.ApplyRun(t, conn, &Reconcile{Staged: staged, Options: opts}, runID+1, nil)
	golden.CheckNoRows(t, conn, runID+1, r.SnapshotTables())
}

// sqlGolden compares got with testdata/golden/sql/<name>.csv.
func sqlGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Compare(t, filepath.Join("testdata", "golden", "sql", name+".csv"), got)
}
