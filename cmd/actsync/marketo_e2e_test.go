package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/actsync/actsync/internal/marketotest"
	"github.com/actsync/actsync/source/marketo"
	"github.com/actsync/actsync/sync"
)

var mkT0 = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)

// marketoPeople is a small Marketo database: owners that are users,
// queues or missing, duplicate emails, empty fields, a 15-character
// Salesforce id, quoted commas; updatedAt over 40 days (two windows).
func marketoPeople() []marketotest.Lead {
	var out []marketotest.Lead
	for i := range 60 {
		l := marketotest.Lead{
			"id": strconv.Itoa(3000 + i), "firstName": fmt.Sprintf("P%d", i), "lastName": "Tester",
			"email": fmt.Sprintf("p%d@example.com", i%50), "phone": "+14155550134", "company": "Acme, Inc.",
			"title": "VP, Sales", "leadSource": "Webinar", "sfdcLeadId": "00Q5g00000DkT3a",
			"sfdcType": "Lead", "unsubscribed": strconv.FormatBool(i%7 == 0),
			"updatedAt": mkT0.Add(time.Duration(i) * 16 * time.Hour).Format(time.RFC3339),
		}
		switch i % 5 {
		case 0:
			l["sfdcLeadOwnerId"] = "00G5g000003XyZaEAK" // a queue
		case 1:
			// no owner
		case 2:
			l["sfdcType"], l["sfdcContactId"], l["sfdcContactOwnerId"] = "Contact", "0035g00000Mt4HqAAJ", "0058a00000Tz4WkAAJ"
		default:
			l["sfdcLeadOwnerId"] = "0055g00000Bq7HXAAZ"
		}
		if i%9 == 0 {
			l["title"], l["phone"] = "", ""
		}
		out = append(out, l)
	}
	return out
}

func marketoServer(t *testing.T) (*marketotest.Server, context.Context) {
	t.Helper()
	clock := marketotest.NewFakeClock(mkT0.Add(50 * 24 * time.Hour))
	srv := marketotest.New(clock)
	t.Cleanup(srv.Close)
	srv.Leads = marketoPeople()
	for i := range 30 {
		srv.Activities = append(srv.Activities, marketotest.Activity{
			GUID: strconv.Itoa(880000 + i), LeadID: int64(3000 + i*2), Date: mkT0.Add(time.Duration(i) * 30 * time.Hour),
			TypeID: []int{39, 40, 6}[i%3], Attributes: `{"Email Subject":"Intro, part 2","Sent By":"rep@sales.example.com"}`,
		})
	}
	srv.Deleted = []marketotest.Deleted{
		{ID: 77001, LeadID: 3003, Date: mkT0.Add(45 * 24 * time.Hour), Name: "P3 Tester"},
		{ID: 77002, LeadID: 9999, Date: mkT0.Add(46 * 24 * time.Hour), Name: "Gone Person"},
	}
	t.Setenv(marketo.EnvBaseURL, srv.URL)
	t.Setenv(marketo.EnvClientID, srv.ClientID)
	t.Setenv(marketo.EnvClientSecret, srv.ClientSecret)
	return srv, marketo.WithClock(context.Background(), clock)
}

func runCode(ctx context.Context, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// writeAsFiles writes what the server holds as ordinary export files: the
// leads as one Bulk Lead Extract CSV, the deleted leads as Delete Lead
// activities.
func writeAsFiles(t *testing.T, srv *marketotest.Server, dir string) (string, string) {
	t.Helper()
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(marketo.LeadFields)
	for _, l := range srv.Leads {
		row := make([]string, len(marketo.LeadFields))
		for i, f := range marketo.LeadFields {
			row[i] = l[f]
		}
		w.Write(row)
	}
	w.Flush()
	people := filepath.Join(dir, "people.csv")
	os.WriteFile(people, []byte(b.String()), 0o600)
	b.Reset()
	w.Write([]string{"marketoGUID", "leadId", "activityDate", "activityTypeId", "campaignId", "primaryAttributeValueId", "primaryAttributeValue", "attributes"})
	for _, a := range srv.Activities {
		w.Write([]string{a.GUID, strconv.FormatInt(a.LeadID, 10), a.Date.Format(time.RFC3339), strconv.Itoa(a.TypeID), "", "", "", a.Attributes})
	}
	for _, d := range srv.Deleted {
		w.Write([]string{strconv.FormatInt(d.ID, 10), strconv.FormatInt(d.LeadID, 10), d.Date.Format(time.RFC3339), "37", "", "", "", "{}"})
	}
	w.Flush()
	acts := filepath.Join(dir, "deleted.csv")
	os.WriteFile(acts, []byte(b.String()), 0o600)
	return people, acts
}

const mkPeopleState = `SELECT * EXCLUDE (source_file, source_line) FROM people ORDER BY marketo_id`
const mkChangesState = `SELECT run_id, marketo_id, op, changed_fields FROM changes ORDER BY ALL`
const mkActivitiesState = `SELECT * EXCLUDE (source_file, source_line) FROM activities ORDER BY marketo_guid`
const mkSalesLogState = `SELECT * FROM sales_activity_log ORDER BY marketo_guid`

func TestRunFromMarketoEqualsRunFromFiles(t *testing.T) {
	srv, ctx := marketoServer(t)
	stateM, stateF := t.TempDir(), t.TempDir()
	since, until := mkT0.Format(time.RFC3339), mkT0.Add(48*24*time.Hour).Format(time.RFC3339)

	code, stdout, stderr := runCode(ctx, "run", "--people", "marketo:", "--activities", "marketo:", "--since", since, "--until", until, "--state", stateM)
	if code != 0 {
		t.Fatalf("run --people marketo:: exit %d: %s", code, stderr)
	}
	people, acts := writeAsFiles(t, srv, t.TempDir())
	runOK(t, "run", "--people", people, "--activities", acts, "--state", stateF)

	for _, q := range []string{mkPeopleState, mkChangesState, mkActivitiesState, mkSalesLogState} {
		got := runOK(t, "query", "--state", stateM, "--format", "csv", q)
		want := runOK(t, "query", "--state", stateF, "--format", "csv", q)
		if got != want {
			t.Errorf("%s\nfrom Marketo:\n%s\nfrom files:\n%s", q, got, want)
		}
	}
	if n := runOK(t, "query", "--state", stateM, "--format", "csv", `SELECT count(*) FROM people WHERE status_reason = 'deleted_in_marketo'`); n != "count_star()\n1\n" {
		t.Errorf("deleted lead 3003 not deactivated: %q", n)
	}
	// The run's as-of time is the end of the range it extracted.
	if got := runOK(t, "query", "--state", stateM, "--format", "csv", `SELECT as_of FROM runs`); got != "as_of\n"+mkT0.Add(48*24*time.Hour).UTC().Format("2006-01-02 15:04:05")+"\n" {
		t.Errorf("runs.as_of = %q, want the end of the range", got)
	}
	if n := runOK(t, "query", "--state", stateM, "--format", "csv", `SELECT count(*) FROM activities`); n != "count_star()\n32\n" {
		t.Errorf("activities from Marketo: %q, want the 30 exported and 2 deleted leads", n)
	}
	for _, s := range append(srv.Tokens(), srv.ClientSecret) {
		if strings.Contains(stdout+stderr, s) {
			t.Fatalf("a secret or token is in the output")
		}
		filepath.WalkDir(stateM, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".duckdb") {
				if data, _ := os.ReadFile(p); bytes.Contains(data, []byte(s)) {
					t.Errorf("a secret or token is in %s", p)
				}
			}
			return nil
		})
	}
	if strings.Contains(stdout+stderr, "@example.com") || strings.Contains(stderr, "Tester") {
		t.Errorf("personal data in the output:\n%s%s", stdout, stderr)
	}

	// The next nightly run needs no --since: it starts where this one
	// ended, and a range where nothing changed changes nothing.
	code, stdout, stderr = runCode(ctx, "run", "--people", "marketo:", "--activities", "marketo:", "--state", stateM)
	if code != 0 {
		t.Fatalf("second run: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "no changes") {
		t.Errorf("second run changed something:\n%s", stdout)
	}
}

// quotaStoppedRun returns a Marketo server whose daily export quota runs
// out at its second export, a new state, and the run of 48 days of people
// from the server into that state, which stops there until srv.NewDay.
func quotaStoppedRun(t *testing.T) (srv *marketotest.Server, ctx context.Context, state string, args []string) {
	t.Helper()
	srv, ctx = marketoServer(t)
	srv.Fail.QuotaAtEnqueue = 2
	state = t.TempDir()
	args = []string{"run", "--people", "marketo:", "--since", mkT0.Format(time.RFC3339), "--until", mkT0.Add(48 * 24 * time.Hour).Format(time.RFC3339), "--state", state}
	return srv, ctx, state, args
}

func TestRunFromMarketoQuotaStopsAndResumes(t *testing.T) {
	srv, ctx, state, args := quotaStoppedRun(t)
	code, _, stderr := runCode(ctx, args...)
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if code != 3 || !strings.Contains(lines[len(lines)-1], "actsync: nothing loaded: marketo: daily export quota spent (1029) with 1 of 2 exports landed") {
		t.Fatalf("quota stop: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(state, "actions.duckdb")); !os.IsNotExist(err) {
		t.Errorf("a quota stop touched the database: %v", err)
	}
	// An earlier run makes the state readable by status; it names the
	// exports waiting.
	srv.NewDay()
	srv.Fail.QuotaAtEnqueue = 0
	people, _ := writeAsFiles(t, srv, t.TempDir())
	runOK(t, "run", "--people", people, "--state", state)
	if code, _, stderr := runCode(ctx, "status", "--state", state); code != 0 || !strings.Contains(stderr, "marketo: 2 export(s) from 2026-09-01T00:00:00Z not loaded yet (1 landed, 1 in Marketo, 0 to create)") {
		t.Errorf("status after the quota stop: exit %d: %s", code, stderr)
	}
	code, _, stderr = runCode(ctx, args...)
	if code != 0 || !strings.Contains(stderr, "landed 2 export(s) (1 reused)") {
		t.Fatalf("resume: exit %d: %s", code, stderr)
	}
	if srv.Creates != 2 {
		t.Errorf("%d exports created, want 2: the finished one is reused", srv.Creates)
	}
	if n := runOK(t, "query", "--state", state, "--format", "csv", `SELECT count(*) FROM people`); n != "count_star()\n36\n" {
		t.Errorf("people after resume: %q", n)
	}
}

func TestExtractLandsOrdinaryFiles(t *testing.T) {
	_, ctx := marketoServer(t)
	out := t.TempDir()
	code, stdout, stderr := runCode(ctx, "extract", "--people", "marketo:", "--activities", "marketo:", "--since", mkT0.Format(time.RFC3339), "--out", out)
	if code != 0 {
		t.Fatalf("extract: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "landed 4 export(s)") {
		t.Errorf("extract output:\n%s", stdout)
	}
	state := t.TempDir()
	runOK(t, "run", "--people", filepath.Join(out, "people"), "--activities", filepath.Join(out, "activities"), "--state", state)
	if n := runOK(t, "query", "--state", state, "--format", "csv", `SELECT count(*) FROM people`); n != "count_star()\n36\n" {
		t.Errorf("people from the extracted files: %q", n)
	}
	if n := runOK(t, "query", "--state", state, "--format", "csv", `SELECT count(*) FROM activities`); n != "count_star()\n32\n" {
		t.Errorf("activities from the extracted files: %q", n)
	}
}

func TestMarketoUsageErrors(t *testing.T) {
	_, ctx := marketoServer(t)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"run", "--people", "marketo:", "--full"}, 2, "--full cannot be used with --people marketo:"},
		{[]string{"run", "--people", "x.csv", "--since", "2026-01-01"}, 2, "need --people marketo:"},
		{[]string{"run", "--people", "marketo:", "--since", "yesterday"}, 2, `--since "yesterday" is not a time`},
		{[]string{"extract", "--people", "marketo:"}, 2, "--out is required"},
		{[]string{"extract", "--people", "a.csv", "--out", "x"}, 2, "--people marketo: or --activities marketo: is required"},
		{[]string{"run", "--people", "marketo:", "--state", "STATE"}, 1, "no earlier leads range"},
		{[]string{"extract", "--plan", "--people", "marketo:", "--since", "2025-01-01", "--until", "2026-01-01"}, 1, "give --expect-leads N"},
	}
	for _, tt := range tests {
		for i, a := range tt.args {
			if a == "STATE" {
				tt.args[i] = t.TempDir()
			}
		}
		code, _, stderr := runCode(ctx, tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("actsync %s: exit %d, stderr %q; want exit %d and %q", strings.Join(tt.args, " "), code, stderr, tt.code, tt.want)
		}
	}
	t.Setenv(marketo.EnvClientSecret, "")
	code, _, stderr := runCode(ctx, "extract", "--people", "marketo:", "--since", "2026-01-01", "--out", t.TempDir())
	if code != 1 || !strings.Contains(stderr, "set MARKETO_CLIENT_SECRET in the environment") {
		t.Errorf("no secret: exit %d: %s", code, stderr)
	}
}

func TestExtractPlan(t *testing.T) {
	code, stdout, stderr := runCode(context.Background(), "extract", "--plan", "--people", "marketo:", "--activities", "marketo:",
		"--since", "2024-01-01", "--until", "2026-01-01", "--expect-leads", "3000000", "--expect-activities", "40000000")
	if code != 0 {
		t.Fatalf("plan: exit %d: %s", code, stderr)
	}
	// 3M × 230 B + 40M × 280 B ≈ 11,340 MB: at least 23 days of 500 MB;
	// whole exports (up to 453 MB each) pack into 26.
	if !strings.Contains(stdout, "48 exports, about 11339.2 MB: 26 day(s) under a daily quota of 500 MB") {
		t.Errorf("plan output:\n%s", stdout)
	}
}

// TestEraseDiscardsLandedMarketoFiles: files a quota stop left in the state
// hold people too; erase removes them, and the resumed run fetches them
// again.
func TestEraseDiscardsLandedMarketoFiles(t *testing.T) {
	srv, ctx, state, args := quotaStoppedRun(t)
	if code, _, stderr := runCode(ctx, args...); code != 3 {
		t.Fatalf("want the quota stop: exit %d: %s", code, stderr)
	}
	landed, _ := filepath.Glob(filepath.Join(state, sync.MarketoLandingDir, "people", "*.csv"))
	if len(landed) != 1 {
		t.Fatalf("landed files after the stop: %v", landed)
	}
	runOK(t, "erase", "--state", state, "--marketo-id", "3003")
	if _, err := os.Stat(landed[0]); !os.IsNotExist(err) {
		t.Errorf("erase left %s: %v", landed[0], err)
	}
	srv.NewDay()
	srv.Fail.QuotaAtEnqueue = 0
	if code, _, stderr := runCode(ctx, args...); code != 0 {
		t.Fatalf("resume after erase: exit %d: %s", code, stderr)
	}
	if srv.Creates != 2 {
		t.Errorf("%d exports created; the discarded file is downloaded again, not exported again", srv.Creates)
	}
	if n := runOK(t, "query", "--state", state, "--format", "csv", `SELECT count(*) FROM people`); n != "count_star()\n36\n" {
		t.Errorf("people after resume: %q", n)
	}
}
