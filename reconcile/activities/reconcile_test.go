package activities

import (
	"context"
	dbsql "database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/actsync/actsync/internal/golden"
	"github.com/actsync/actsync/pipeline"
	sqlfiles "github.com/actsync/actsync/sql"
	"github.com/actsync/actsync/stages/extract"
	"github.com/actsync/actsync/stages/load"
)

var _ load.Step = (*Reconcile)(nil)

// sqlPeople is the people table of the SQL golden tests, as it stands after
// run 7's people changes (the changes rows below), with the activities of
// an earlier run and their summary rows (what run 6 would have written:
// the summary is kept incrementally, so it must agree with the stored
// activities).
const sqlPeople = `
INSERT INTO people (marketo_id, email, email_key, sfdc_lead_id, sfdc_contact_id, sfdc_account_id,
    sfdc_opportunity_id, sales_owner_id, marketo_unsubscribed, status, status_reason,
    first_run_id, last_changed_run_id) VALUES
 (1, 'Ann@x.example', 'ann@x.example', '00Q000000000001AAA', '003000000000001AAA', '001000000000001AAA', '006000000000001AAA', '005000000000001AAA', false, 'active', NULL, 1, 1),
 (2, 'dup@x.example', 'dup@x.example', '00Q000000000002AAA', NULL, '001000000000002AAA', '006000000000002AAA', 'rep@sales.example.com', false, 'active', NULL, 1, 1),
 (3, 'Dup@x.example', 'dup@x.example', NULL, '003000000000003AAA', '001000000000003AAA', NULL, '005000000000001AAA', false, 'active', NULL, 1, 1),
 (4, 'gone@x.example', 'gone@x.example', '00Q000000000004AAA', NULL, NULL, NULL, '005000000000001AAA', false, 'inactive', 'no_sales_owner', 1, 1),
 (5, 'noids@x.example', 'noids@x.example', NULL, NULL, NULL, NULL, '005000000000001AAA', true, 'active', NULL, 1, 1),
 (6, 'six@x.example', 'six@x.example', '00Q000000000006AAA', NULL, NULL, NULL, '005000000000001AAA', false, 'active', NULL, 1, 7),
 (7, 'seven@x.example', 'seven@x.example', '00Q000000000007AAA', NULL, NULL, NULL, '005000000000001AAA', false, 'active', NULL, 7, 7),
 (8, 'eight@x.example', 'eight@x.example', '00Q000000000008AAA', NULL, NULL, NULL, '005000000000001AAA', false, 'inactive', 'owner_is_queue', 1, 1),
 (9, 'nine@x.example', 'nine@x.example', '00Q000000000009AAA', NULL, NULL, NULL, '005000000000001AAA', false, 'active', NULL, 1, 1),
 (10, 'ten@x.example', 'ten@x.example', '00Q000000000010AAA', NULL, NULL, NULL, '00G000000000001AAA', true, 'inactive', 'owner_is_queue', 1, 7);
INSERT INTO changes (run_id, marketo_id, op, changed_fields, reason) VALUES
 (7, 6, 'update', ['title'], NULL),
 (7, 7, 'insert', NULL, NULL),
 (7, 10, 'deactivate', NULL, 'owner_is_queue');
INSERT INTO person_activity_summary VALUES
 (1, 2, 1, 0, 0, 1, 0, 0, 0, 0, 0, '2026-10-01 08:00:00', '2026-09-01 08:00:00', NULL, NULL, 6),
 (9, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, '2026-09-01 08:00:00', '2026-09-01 08:00:00', NULL, NULL, 6);
INSERT INTO activities VALUES
 ('500', 1, '2026-10-01 08:00:00', 9, 'Unsubscribe Email', 'marketing_email', NULL, NULL, NULL, NULL, '{}', NULL, NULL, 'matched', 1, 6, 'old.csv', 2),
 ('501', 1, '2026-09-01 08:00:00', 39, 'Send Sales Email', 'sales_email', 'send_sales_email', NULL, NULL, NULL, '{}', NULL, NULL, 'matched', 1, 6, 'old.csv', 3),
 ('502', 9, '2026-09-01 08:00:00', 39, 'Send Sales Email', 'sales_email', 'send_sales_email', NULL, NULL, NULL, '{}', NULL, NULL, 'matched', 9, 6, 'old.csv', 4);
`

// sqlActivities is run 7's activity export. The types file gives 401-403
// to the SIA types without public ids.
const sqlActivities = `marketoGUID,leadId,activityDate,activityTypeId,campaignId,primaryAttributeValueId,primaryAttributeValue,attributes
500,1,2026-10-01T08:00:00Z,9,,,,{}
600,1,2026-11-02T09:00:00Z,39,,,Pricing,"{""Sent By"":""a@sales.example.com"",""Email Subject"":""Pricing\nfor   you"",""Template"":""T1"",""Sales Campaign Name"":""Q4""}"
601,1,2026-11-02T09:05:00Z,45,,,,"{""Received By"":""a@sales.example.com"",""Email Subject"":""Re: Pricing""}"
602,2,2026-11-02T09:10:00Z,39,,,,"{""Email Subject"":""` + longSubject + `""}"
603,,2026-11-02T09:15:00Z,40,,,,"{""Email"":"" DUP@x.example ""}"
604,,2026-11-02T09:20:00Z,40,,,,"{""Email"":""gone@x.example""}"
605,,2026-11-02T09:25:00Z,40,,,,"{""Email"":""nobody@x.example""}"
606,,2026-11-02T09:30:00Z,40,,,,
607,99,2026-11-02T09:35:00Z,40,,,,
608,4,2026-11-02T09:40:00Z,39,,,,
609,5,2026-11-02T09:45:00Z,39,,,,"{""Email Subject"":""No ids""}"
610,3,2026-11-02T09:50:00Z,401,,,Demo,"{""Sales Call Made By"":""c@sales.example.com"",""Sales Call Status"":""Connected"",""Sales Call Duration"":""2:05""}"
611,3,2026-11-02T09:55:00Z,402,,,Q4 Push,"{""Sent By"":""c@sales.example.com""}"
612,3,2026-11-02T10:00:00Z,403,,,Q4 Push,
613,3,2026-11-02T10:05:00Z,46,,,Web,"{""Description"":""Visited pricing""}"
614,3,2026-11-02T10:06:00Z,46,,,Email,
615,3,2026-11-02T10:07:00Z,41,,,,"{""Link"":""https://www.example.com/a""}"
616,3,2026-11-02T10:08:00Z,48,,,,"{""Details"":""550 no such user""}"
617,9,2026-11-02T10:10:00Z,32,,,,"{""Merge IDs"":[6, 8, 9, 98]}"
618,6,2026-11-02T10:15:00Z,37,,,,
619,7,2026-11-02T10:20:00Z,37,,,,
620,8,2026-11-02T10:25:00Z,37,,,,
621,1,2026-11-02T10:30:00Z,32,,,,"{""Merge IDs"":""[9]""}"
622,10,2026-11-02T10:35:00Z,37,,,,
623,9,2026-11-02T10:40:00Z,9,,,,
624,5,2026-11-02T10:45:00Z,1,,,,
625,1,2026-11-02T10:50:00Z,999,,,,
600,1,2026-11-02T09:00:00Z,39,,,Pricing,{}
bad,1,not a date,39,,,,
`

const longSubject = "Long subject Long subject Long subject Long subject Long subject Long subject Long subject Long subject Long subject Long subject Long subject Long subject Long subject Long subject Long subject Long subject Long subject Long subject Long subject Long subject Long subject Long subject Long subject Long subject Long subject"

const sqlTypes = `{"success":true,"result":[{"id":401,"name":"Received Sales Call"},{"id":402,"name":"Add to Sales Campaign"},{"id":403,"name":"Remove from Sales Campaign"}]}`

// sqlDumps is what each statement is judged by: the query whose result is
// compared with testdata/golden/sql/<statement>.csv after it runs. $1, where
// a query has it, is the staged activities' read_parquet glob, or for
// activity_match the snapshot file it wrote.
var sqlDumps = map[string]string{
	"activity_schema": `SELECT table_name, column_name, data_type FROM information_schema.columns
		WHERE table_name IN ('activities', 'sales_activity_log', 'salesforce_tasks', 'unsubscribe_violations',
		                     'person_activity_summary', 'lifecycle_events')
		ORDER BY table_name, ordinal_position`,
	"activity_insert_rejects": `SELECT * EXCLUDE (source_file) FROM rejects ORDER BY ALL`,
	"activity_stage": `SELECT s.marketo_guid, coalesce(r.copy_no, 1) AS copy_no, s.source_line
		FROM read_parquet($1) s LEFT JOIN activity_repeats r USING (source_file, source_line) ORDER BY s.source_line`,
	"activity_match":                    `SELECT marketo_guid, lead_id, type_name, category, sales_kind, email, match, marketo_id, source_line FROM read_parquet($1) ORDER BY marketo_guid`,
	"activity_insert":                   `SELECT marketo_guid, lead_id, type_name, category, sales_kind, email, match, marketo_id, run_id, source_line FROM activities ORDER BY marketo_guid`,
	"activity_sales_log":                `SELECT * FROM sales_activity_log ORDER BY marketo_guid`,
	"activity_salesforce_tasks":         `SELECT * FROM salesforce_tasks ORDER BY marketo_guid`,
	"activity_unsubscribe_violations":   `SELECT * FROM unsubscribe_violations ORDER BY marketo_guid`,
	"activity_summary_delete":           `SELECT marketo_id, run_id FROM person_activity_summary ORDER BY ALL`,
	"activity_summary_insert":           `SELECT * FROM person_activity_summary ORDER BY marketo_id`,
	"activity_lifecycle_events":         `SELECT * FROM lifecycle_events ORDER BY marketo_id, marketo_guid`,
	"activity_lifecycle_update_changes": `SELECT * FROM changes ORDER BY marketo_id`,
	"activity_lifecycle_insert_changes": `SELECT * FROM changes ORDER BY marketo_id`,
	"activity_lifecycle_people":         `SELECT marketo_id, status, status_reason FROM people ORDER BY marketo_id`,
}

// sqlReport are the goldens of what Apply reports rather than of a
// statement: report.Activities, and the breakdown query behind its
// ByCategory and BySalesKind.
var sqlReport = []string{"activity_counts", "activity_breakdown"}

// sqlFinal are the goldens of the tables a run keeps, each judged again
// after the run has committed and the database file has been reopened: the
// golden of the last statement that writes the table.
var sqlFinal = []string{"activity_insert_rejects", "activity_insert", "activity_sales_log",
	"activity_salesforce_tasks", "activity_unsubscribe_violations", "activity_summary_insert",
	"activity_lifecycle_events", "activity_lifecycle_insert_changes", "activity_lifecycle_people"}

// sqlPeopleInputs are the run's people inputs. The loader records them in
// inputs at file indexes 0-2 before the step runs, so the step's activity
// input is file index 3.
var sqlPeopleInputs = []pipeline.Input{
	{Path: "people-a.csv", Format: "csv", SHA256: "-", Bytes: 1, Rows: 1},
	{Path: "people-b.csv", Format: "csv", SHA256: "-", Bytes: 2, Rows: 2},
	{Path: "people-c.csv", Format: "csv", SHA256: "-", Bytes: 3, Rows: 3},
}

// TestSQLGolden runs the step's Apply, the code a run calls, on a small
// real DuckDB file as run 7 and compares what each statement wrote with its
// golden file as it goes (through afterStatement, inside Apply's
// transaction), then the counts Apply reports; after the commit it reopens
// the file and compares the tables a run keeps again. Then it applies the
// same activities as run 8 (a re-delivered file), which must add no
// activity and no change.
func TestSQLGolden(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "t.duckdb")
	db, conn := golden.OpenDB(t, dbPath)
	// The state after run 7's people changes: the tables of every run and
	// the reconciliation tables (which sqlPeople fills too).
	for _, q := range []string{sqlfiles.Text("schema/schema"), sqlfiles.Text("schema/activity_schema"), sqlPeople} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}

	types := BuiltinTypes()
	if _, err := types.loadTypes([]byte(sqlTypes)); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "activities.csv")
	if err := os.WriteFile(src, []byte(sqlActivities), 0o600); err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	staged, err := Extract(ctx, []extract.Source{{Path: src, Format: extract.CSV}}, types, mem, dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{LogEmails: true, LogCalls: true, TaskSubject: DefaultTaskSubject + " ({{sent_by}}, {{sales_campaign}})"}
	const runID = 7

	// Inside Apply, after each statement: what it wrote so far, read in
	// Apply's transaction.
	seen := map[string]bool{}
	r := &Reconcile{Staged: staged, Options: opts, Snapshot: filepath.Join(dir, "snapshot", "activities.parquet")}
	r.afterStatement = func(tx *dbsql.Tx, name string) {
		seen[name] = true
		if q, ok := sqlDumps[name]; ok {
			var args []any
			if name == "activity_match" {
				args = append(args, r.Snapshot)
			} else if strings.Contains(q, "$1") {
				args = append(args, staged.Glob)
			}
			sqlGolden(t, name, golden.Query(t, tx, q, args...))
		}
		if name == "activity_insert" {
			// The snapshot written before the insert holds exactly the
			// rows inserted.
			diff := `SELECT count(*) FROM ((SELECT * EXCLUDE (run_id) FROM activities WHERE run_id = $1
				EXCEPT ALL SELECT * FROM read_parquet($2))
				UNION ALL (SELECT * FROM read_parquet($2)
				EXCEPT ALL SELECT * EXCLUDE (run_id) FROM activities WHERE run_id = $1))`
			if got := golden.Query(t, tx, diff, runID, r.Snapshot); got != "count_star()\n0\n" {
				t.Errorf("the activities snapshot differs from the inserted rows: %s", got)
			}
		}
	}
	report := golden.ApplyRun(t, conn, r, runID, sqlPeopleInputs)
	golden.CheckApplied(t, conn, seen, sqlDumps)
	c := report.Activities
	if c == nil {
		t.Fatal("Apply left report.Activities nil")
	}
	if !reflect.DeepEqual(c.Inputs, staged.Inputs) {
		t.Errorf("report inputs %+v, want the staged %+v", c.Inputs, staged.Inputs)
	}
	c.Inputs = nil
	sqlGolden(t, "activity_counts", fmt.Sprintf("%+v\n", *c))

	// What run 7 committed, read back from the reopened file.
	db, conn = golden.Reopen(t, db, conn, dbPath)
	for _, name := range sqlFinal {
		sqlGolden(t, name, golden.Query(t, conn, sqlDumps[name]))
	}
	sqlGolden(t, "activity_breakdown", golden.Query(t, conn, sqlfiles.Text("activities/activity_breakdown"), runID))
	// The activity input follows the people inputs, with its real path
	// and hash.
	for i, in := range staged.Inputs {
		var got pipeline.Input
		if err := conn.QueryRowContext(ctx, `SELECT path, format, sha256, bytes, rows_read FROM inputs WHERE run_id = $1 AND file_index = $2`,
			runID, len(sqlPeopleInputs)+i).Scan(&got.Path, &got.Format, &got.SHA256, &got.Bytes, &got.Rows); err != nil {
			t.Fatalf("input %d: %v", len(sqlPeopleInputs)+i, err)
		}
		if want := (pipeline.Input{Path: in.Path, Format: in.Format, SHA256: in.SHA256, Bytes: in.Bytes, Rows: in.Rows}); !reflect.DeepEqual(got, want) {
			t.Errorf("input %d is %+v, want %+v", len(sqlPeopleInputs)+i, got, want)
		}
	}

	// The same activities again, as run 8: a re-delivered file adds no
	// activity and no change.
	again := golden.ApplyRun(t, conn, &Reconcile{Staged: staged, Options: opts}, runID+1, sqlPeopleInputs)
	if c := again.Activities; c.Loaded != 0 || c.AlreadyLoaded != staged.Rows-c.Repeated {
		t.Errorf("rerun counts: loaded %d, already loaded %d of %d staged, %d repeated", c.Loaded, c.AlreadyLoaded, staged.Rows, c.Repeated)
	}
	golden.CheckNoRows(t, conn, runID+1, append(r.SnapshotTables(), "changes"))
}

// TestSQLGoldenFilesJudged fails on a golden file TestSQLGolden does not
// compare: each is a statement's (judged after Apply runs it) or one of
// the report's.
func TestSQLGoldenFilesJudged(t *testing.T) {
	entries, err := os.ReadDir(filepath.Join("testdata", "golden", "sql"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".csv")
		if _, dumped := sqlDumps[name]; !ok || !dumped && !slices.Contains(sqlReport, name) {
			t.Errorf("testdata/golden/sql/%s: no statement dump or report judges it", e.Name())
		}
	}
}

// sqlGolden compares got with testdata/golden/sql/<name>.csv.
func sqlGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Compare(t, filepath.Join("testdata", "golden", "sql", name+".csv"), got)
}
