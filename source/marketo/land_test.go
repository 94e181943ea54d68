package marketo

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/actsync/actsync/internal/marketotest"
)

var (
	t0    = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	until = t0.Add(70 * 24 * time.Hour) // three windows per kind: 31 + 31 + 8 days
)

// fixture fills srv with 140 leads and 280 activities spread over the 70
// days, and 3 deleted leads.
func fixture(srv *marketotest.Server) {
	for i := range 140 {
		at := t0.Add(time.Duration(i) * 12 * time.Hour).Add(17 * time.Minute)
		srv.Leads = append(srv.Leads, marketotest.Lead{
			"id": strconv.Itoa(1000 + i), "firstName": "Ann", "lastName": fmt.Sprintf("Doe %d", i),
			"email": fmt.Sprintf("ann%d@example.com", i), "company": "Acme, Inc.", "title": "VP \"Sales\"",
			"sfdcLeadOwnerId": "0055g00000Bq7HXAAZ", "sfdcType": "Lead", "unsubscribed": "false",
			"updatedAt": at.Format(time.RFC3339), "createdAt": at.Add(-time.Minute).Format(time.RFC3339),
		})
	}
	for i := range 280 {
		srv.Activities = append(srv.Activities, marketotest.Activity{
			GUID: strconv.Itoa(500000 + i), LeadID: int64(1000 + i%140), Date: t0.Add(time.Duration(i) * 6 * time.Hour),
			TypeID: []int{6, 39, 1}[i%3], Attributes: `{"Mailing ID":7,"Note":"a,b\nc"}`,
		})
	}
	for i := range 3 {
		srv.Deleted = append(srv.Deleted, marketotest.Deleted{ID: int64(900 + i), LeadID: int64(1000 + i), Date: t0.Add(time.Duration(i+1) * 24 * time.Hour), Name: "Ann Doe"})
	}
}

type env struct {
	srv   *marketotest.Server
	clock *marketotest.FakeClock
	c     *Client
	dir   string
	log   *bytes.Buffer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clock := marketotest.NewFakeClock(until.Add(2 * time.Hour))
	srv := marketotest.New(clock)
	t.Cleanup(srv.Close)
	fixture(srv)
	c := NewClient(Config{BaseURL: srv.URL, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret}, srv.Client(), clock)
	return &env{srv: srv, clock: clock, c: c, dir: t.TempDir(), log: &bytes.Buffer{}}
}

func (e *env) land(t *testing.T) (*Landed, error) {
	t.Helper()
	return Land(context.Background(), e.c, Request{Dir: e.dir, People: true, Activities: true, Since: t0, Until: until, Log: e.log})
}

// landOK is land for a test that needs it to succeed.
func (e *env) landOK(t *testing.T) *Landed {
	t.Helper()
	out, err := e.land(t)
	if err != nil {
		t.Fatalf("Land: %v", err)
	}
	return out
}

// readIDs returns the first column of every record of the CSV files.
func readIDs(t *testing.T, paths []string) []string {
	t.Helper()
	var ids []string
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		for _, r := range recs[1:] {
			ids = append(ids, r[0])
		}
	}
	slices.Sort(ids)
	return ids
}

// checkComplete fails unless out holds every lead, activity and deleted
// lead of the server exactly once.
func checkComplete(t *testing.T, e *env, out *Landed) {
	t.Helper()
	var wantLeads, wantActs []string
	for _, l := range e.srv.Leads {
		wantLeads = append(wantLeads, l["id"])
	}
	for _, a := range e.srv.Activities {
		wantActs = append(wantActs, a.GUID)
	}
	for _, d := range e.srv.Deleted {
		wantActs = append(wantActs, strconv.FormatInt(d.ID, 10))
	}
	slices.Sort(wantLeads)
	slices.Sort(wantActs)
	if got := readIDs(t, out.People); !slices.Equal(got, wantLeads) {
		t.Errorf("landed %d leads, want %d", len(got), len(wantLeads))
	}
	if got := readIDs(t, out.Activities); !slices.Equal(got, wantActs) {
		t.Errorf("landed %d activities, want %d", len(got), len(wantActs))
	}
	if len(out.People) != 3 || len(out.Activities) != 4 {
		t.Errorf("landed files: %d people, %d activities; want 3 windows each and the deleted leads", len(out.People), len(out.Activities))
	}
	if v := e.srv.Violations; len(v) > 0 {
		t.Errorf("protocol violations: %v", v)
	}
	if e.srv.MaxInQueue > MaxQueued {
		t.Errorf("%d exports queued at once, limit %d", e.srv.MaxInQueue, MaxQueued)
	}
}

// checkNoSecrets fails if the secret or a token appears in any of texts
// or in any file under dir.
func checkNoSecrets(t *testing.T, e *env, texts ...string) {
	t.Helper()
	secrets := append(e.srv.Tokens(), e.srv.ClientSecret)
	filepath.WalkDir(e.dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(p)
			texts = append(texts, string(data))
		}
		return nil
	})
	for _, s := range secrets {
		for _, txt := range texts {
			if strings.Contains(txt, s) {
				t.Fatalf("a secret or token leaked into output or state: %q", s)
			}
		}
	}
}

func TestLand(t *testing.T) {
	tests := []struct {
		name string
		fail marketotest.Failures
		ttl  time.Duration
		// wantErr, when set, is part of the one-line error of the first
		// Land; a second Land with the failures cleared must complete.
		wantErr string
		wantLog string
		check   func(t *testing.T, e *env, out *Landed)
	}{
		{name: "happy path", check: func(t *testing.T, e *env, out *Landed) {
			if e.srv.Creates != 6 {
				t.Errorf("%d exports created, want 6", e.srv.Creates)
			}
		}},
		{name: "token expires mid-run", ttl: 150 * time.Second, fail: marketotest.Failures{RevokeTokenAfter: 4},
			check: func(t *testing.T, e *env, out *Landed) {
				if n := len(e.srv.Tokens()); n < 3 {
					t.Errorf("%d tokens issued; want renewals on expiry and on 602", n)
				}
			}},
		{name: "606 burst", fail: marketotest.Failures{RateLimitAt: 3, RateLimitBurst: 4}},
		{name: "606 without end", fail: marketotest.Failures{RateLimitAt: 3, RateLimitBurst: 1000}, wantErr: "606 Max rate limit"},
		{name: "HTTP 502 at create", fail: marketotest.Failures{HTTP502Once: true}},
		{name: "job fails", fail: marketotest.Failures{FailJob: 2}, wantErr: "ended failed in Marketo: Failed to export"},
		{name: "download cut in the middle", fail: marketotest.Failures{CutDownload: true},
			check: func(t *testing.T, e *env, out *Landed) {
				if e.srv.Ranged < 6 {
					t.Errorf("%d Range requests; want every cut download resumed", e.srv.Ranged)
				}
			}},
		{name: "checksum mismatch once", fail: marketotest.Failures{Corrupt: 1}, wantLog: "sha256 differs"},
		{name: "checksum mismatch twice", fail: marketotest.Failures{Corrupt: 2}, wantErr: "sha256 differs from Marketo's fileChecksum, again after a retry"},
		{name: "file gone after Completed", fail: marketotest.Failures{GoneJob: 1}, wantLog: "creating a new export",
			check: func(t *testing.T, e *env, out *Landed) {
				if e.srv.Creates != 7 {
					t.Errorf("%d exports created, want 6 and one again", e.srv.Creates)
				}
			}},
		{name: "file gone for good", fail: marketotest.Failures{GoneAlways: true}, wantErr: "its file is gone from Marketo (404"},
		{name: "subscription without some lead fields", wantLog: "no lead field linkedInProfileURL, sfdcContactOwnerId: exporting without it",
			check: func(t *testing.T, e *env, out *Landed) {
				data, _ := os.ReadFile(out.People[0])
				if strings.Contains(string(data), "linkedInProfileURL") {
					t.Errorf("asked for a field the subscription lacks")
				}
			}},
		{name: "updatedAt unsupported (1035)", fail: marketotest.Failures{NoUpdatedAt: true}, wantLog: "no updatedAt filter for leads (1035)",
			check: func(t *testing.T, e *env, out *Landed) {
				for _, p := range out.People {
					if !strings.Contains(filepath.Base(p), "createdAt") {
						t.Errorf("%s: not a createdAt export", p)
					}
				}
				if l, _ := readLedger(e.dir); l.LeadsFilter != "createdAt" {
					t.Errorf("ledger does not remember the createdAt fallback")
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.ttl > 0 {
				e.srv.TokenTTL = tt.ttl
			}
			e.srv.Fail = tt.fail
			if strings.HasPrefix(tt.name, "subscription without") {
				e.srv.LeadFields = slices.DeleteFunc(e.srv.LeadFields, func(f string) bool { return f == "sfdcContactOwnerId" || f == "linkedInProfileURL" })
			}
			out, err := e.land(t)
			errText := ""
			if err != nil {
				errText = err.Error()
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Land: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(errText, tt.wantErr)):
				t.Fatalf("Land error %v, want one containing %q", err, tt.wantErr)
			case strings.Contains(errText, "\n"):
				t.Errorf("error is not one line: %q", errText)
			}
			if tt.wantErr != "" {
				e.srv.Fail = marketotest.Failures{}
				if out, err = e.land(t); err != nil {
					t.Fatalf("Land after the failure cleared: %v", err)
				}
			}
			if !strings.Contains(e.log.String(), tt.wantLog) {
				t.Errorf("log %q does not mention %q", e.log.String(), tt.wantLog)
			}
			checkComplete(t, e, out)
			checkNoSecrets(t, e, errText, e.log.String())
			if tt.check != nil {
				tt.check(t, e, out)
			}
		})
	}
}

// TestLandQuotaResumesNextDay spends the quota after the first export,
// stops with a QuotaError, and resumes on the next day reusing the
// exports that landed.
func TestLandQuotaResumesNextDay(t *testing.T) {
	e := newEnv(t)
	e.srv.Fail.QuotaAtEnqueue = 3 // two exports go through, the third enqueue answers 1029
	_, err := e.land(t)
	var qe *QuotaError
	if !errors.As(err, &qe) {
		t.Fatalf("Land: %v, want a QuotaError", err)
	}
	if qe.Landed == 0 || qe.Landed >= qe.Total || !strings.Contains(err.Error(), "midnight US Central") {
		t.Fatalf("quota stop: %v", err)
	}
	if want := time.Date(2026, 11, 10, 6, 0, 0, 0, time.UTC); !qe.ResetAt.Equal(want) {
		t.Errorf("reset at %s, want %s (midnight CST)", qe.ResetAt, want)
	}
	created := e.srv.Creates
	e.clock.Advance(24 * time.Hour)
	e.srv.NewDay()
	e.srv.Fail.QuotaAtEnqueue = 0
	out, err := e.land(t)
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	checkComplete(t, e, out)
	if out.Reused != qe.Landed {
		t.Errorf("resume reused %d landed exports, want %d", out.Reused, qe.Landed)
	}
	if e.srv.Creates != 6 {
		t.Errorf("%d exports created in all (%d before the stop), want 6: finished exports must be reused", e.srv.Creates, created)
	}
}

// TestCommitStartsNextRange: after Commit the next Land starts where the
// last one ended, with no --since.
func TestCommitStartsNextRange(t *testing.T) {
	e := newEnv(t)
	out := e.landOK(t)
	if err := Commit(out, true); err != nil {
		t.Fatal(err)
	}
	for _, p := range append(out.People, out.Activities...) {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left after Commit", p)
		}
	}
	if _, err := Land(context.Background(), e.c, Request{Dir: e.dir, People: true, Log: e.log}); err != nil {
		t.Fatal(err)
	}
	l, _ := readLedger(e.dir)
	if len(l.Jobs) != 1 || !l.Jobs[0].Start.Equal(until) {
		t.Errorf("next range: %+v, want one window from %s", l.Jobs, until)
	}
	if _, err := Land(context.Background(), e.c, Request{Dir: t.TempDir(), People: true}); err == nil || !strings.Contains(err.Error(), "give --since") {
		t.Errorf("first Land without --since: %v", err)
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{EnvBaseURL: "https://123-ABC-456.mktorest.com/", EnvClientID: "id", EnvClientSecret: "hunter2"}
	c, err := ConfigFromEnv(func(k string) string { return env[k] })
	if err != nil || c.BaseURL != "https://123-ABC-456.mktorest.com" {
		t.Fatalf("%+v %v", c, err)
	}
	delete(env, EnvClientSecret)
	env[EnvBaseURL] = "ftp://x"
	if _, err := ConfigFromEnv(func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), EnvClientSecret) {
		t.Errorf("missing secret: %v", err)
	}
	env[EnvClientSecret] = "hunter2"
	if _, err := ConfigFromEnv(func(k string) string { return env[k] }); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("bad URL: %v", err)
	}
}

func TestBadCredentials(t *testing.T) {
	e := newEnv(t)
	e.c.cfg.ClientSecret = "wrong-secret-value"
	_, err := e.land(t)
	if err == nil || !strings.Contains(err.Error(), "Bad client credentials") || strings.Contains(err.Error(), "wrong-secret-value") {
		t.Fatalf("Land with a bad secret: %v", err)
	}
}

func TestPlanRange(t *testing.T) {
	since := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	f := PlanRange(since, since.Add(62*24*time.Hour), DefaultQuotaBytes, []Estimate{
		{Kind: KindLeads, Records: 2_000_000, BytesPerRecord: 230},
		{Kind: KindActivities, Records: 6_000_000, BytesPerRecord: 280},
	})
	// 460 MB of leads in 2 windows of 230 MB, 1680 MB of activities in 2
	// of 840 MB: day 1 both lead windows (460 MB), then one activity
	// window a day.
	if len(f.Windows) != 4 || f.Days != 3 {
		t.Fatalf("forecast: %d windows, %d days; want 4, 3: %+v", len(f.Windows), f.Days, f.Windows)
	}
	var buf bytes.Buffer
	f.Print(&buf)
	if !strings.Contains(buf.String(), "3 day(s) under a daily quota of 500 MB") {
		t.Errorf("printout:\n%s", buf.String())
	}
}

// TestMeasuredEstimateAfterCommit: --plan's measured figures survive the
// ledger forgetting the committed jobs.
func TestMeasuredEstimateAfterCommit(t *testing.T) {
	e := newEnv(t)
	out := e.landOK(t)
	if err := Commit(out, false); err != nil {
		t.Fatal(err)
	}
	est, ok := MeasuredEstimate(e.dir, KindLeads, 70)
	if !ok || est.Records < 139.5 || est.Records > 140.5 || est.BytesPerRecord < 50 || est.BytesPerRecord > 400 {
		t.Errorf("measured estimate over the landed 70 days: %+v %v; want 140 records", est, ok)
	}
}

// TestResumeAfterLostEnqueue: a process that enqueued an export and died
// before saving the ledger left it Created there; Marketo answers "Job
// already queued" and the export is polled, not stuck.
func TestResumeAfterLostEnqueue(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	e.srv.Fail.QuotaAtEnqueue = 1 // stop after the creates, before any enqueue lands
	if _, err := Land(ctx, e.c, Request{Dir: e.dir, People: true, Since: t0, Until: until}); err == nil {
		t.Fatal("want the quota stop")
	}
	cancel()
	e.srv.NewDay()
	e.srv.Fail.QuotaAtEnqueue = 0
	l, _ := readLedger(e.dir)
	// Enqueue the first behind the ledger's back, as the lost process did.
	req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/bulk/v1/leads/export/"+l.Jobs[0].ExportID+"/enqueue.json", nil)
	tok, _ := e.c.accessToken(context.Background())
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	out, err := Land(context.Background(), e.c, Request{Dir: e.dir, People: true, Since: t0, Until: until})
	if err != nil {
		t.Fatal(err)
	}
	if got := readIDs(t, out.People); len(got) != 140 {
		t.Errorf("landed %d leads, want 140", len(got))
	}
}

// stopAfter is a clock that cancels its context at its nth Sleep: Ctrl-C
// or a kill while exports are in Marketo's queue.
type stopAfter struct {
	*marketotest.FakeClock
	n      int
	cancel context.CancelFunc
}

func (c *stopAfter) Sleep(ctx context.Context, d time.Duration) error {
	if c.n--; c.n == 0 {
		c.cancel()
		return context.Canceled
	}
	return c.FakeClock.Sleep(ctx, d)
}

// TestStopAnywhereResumes interrupts Land at each of its waits and checks
// that the next Land completes without creating any export twice.
func TestStopAnywhereResumes(t *testing.T) {
	for n := 1; n <= 4; n++ {
		t.Run(fmt.Sprintf("stop at wait %d", n), func(t *testing.T) {
			e := newEnv(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			e.c.clock = &stopAfter{FakeClock: e.clock, n: n, cancel: cancel}
			if _, err := Land(ctx, e.c, Request{Dir: e.dir, People: true, Activities: true, Since: t0, Until: until}); err == nil {
				t.Fatal("Land did not stop")
			}
			e.c.clock = e.clock
			out := e.landOK(t)
			checkComplete(t, e, out)
			if e.srv.Creates != 6 {
				t.Errorf("%d exports created, want 6: a stop must not lose an export", e.srv.Creates)
			}
		})
	}
}

// TestDeletedLeadsStopAtUntil: deletedleads.json pages on past until; a
// deletion at or after until is left to the next range, not landed twice.
func TestDeletedLeadsStopAtUntil(t *testing.T) {
	e := newEnv(t)
	e.srv.Deleted = append(e.srv.Deleted,
		marketotest.Deleted{ID: 990, LeadID: 1010, Date: until, Name: "Ann Doe"},
		marketotest.Deleted{ID: 991, LeadID: 1011, Date: until.Add(time.Hour), Name: "Ann Doe"})
	out := e.landOK(t)
	ids := readIDs(t, out.Activities)
	if slices.Contains(ids, "990") || slices.Contains(ids, "991") {
		t.Errorf("deletions at or after until were landed: %v", ids)
	}
	if !slices.Contains(ids, "900") {
		t.Errorf("a deletion inside the range is missing: %v", ids)
	}
}
