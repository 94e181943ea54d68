package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/actsync/actsync/stages/extract"
)

// Owners: a user (15-character id, normalised by the map stage) and a
// queue.
const (
	ownerUser  = "005000000000001"
	ownerQueue = "00G000000000001"
)

// dailyExports are five days of a small Marketo export, written so that
// applying them in the wrong order would go wrong in every way the
// out-of-order rules guard against (comments: the person's story).
var dailyExports = map[string][]string{
	"2026-11-01": {
		"1,Ada,One,ada@example.com,A," + ownerUser + ",2026-11-01T12:00:00Z",   // updated on days 3 and 5
		"2,Bo,Two,bo@example.com,X," + ownerUser + ",2026-11-01T12:00:00Z",     // loses the owner on day 4
		"4,Di,Four,di@example.com,Q," + ownerQueue + ",2026-11-01T12:00:00Z",   // queue, then a user on day 3
		"5,Ed,Five,ed@example.com,T1," + ownerUser + ",2026-11-01T12:00:00Z",   // T2, queue, user again with T4
		"7,Gus,Seven,gus@example.com,G," + ownerUser + ",2026-11-01T12:00:00Z", // new email on day 5
		"8,Hal,Eight,hal@example.com,H," + ownerUser + ",2026-11-01T12:00:00Z", // re-sent unchanged, loses owner day 5
	},
	"2026-11-02": {
		"3,Cy,Three,cy@example.com,S," + ownerUser + ",2026-11-02T12:00:00Z", // first seen, loses the owner on day 4
		"5,Ed,Five,ed@example.com,T2," + ownerUser + ",2026-11-02T12:00:00Z",
		"8,Hal,Eight,hal@example.com,H," + ownerUser + ",2026-11-01T12:00:00Z",
	},
	"2026-11-03": {
		"1,Ada,One,ada@example.com,B," + ownerUser + ",2026-11-03T12:00:00Z",
		"4,Di,Four,di@example.com,Q," + ownerUser + ",2026-11-03T12:00:00Z",
		"5,Ed,Five,ed@example.com,T2," + ownerQueue + ",2026-11-03T12:00:00Z",
		"6,Flo,Six,flo@example.com,N," + ownerUser + ",2026-11-03T12:00:00Z",
	},
	"2026-11-04": {
		"2,Bo,Two,bo@example.com,X,,2026-11-04T12:00:00Z",
		"3,Cy,Three,cy@example.com,S,,2026-11-04T12:00:00Z",
		"5,Ed,Five,ed@example.com,T4," + ownerUser + ",2026-11-04T12:00:00Z",
	},
	"2026-11-05": {
		"1,Ada,One,ada@example.com,C," + ownerUser + ",2026-11-05T12:00:00Z",
		"4,Di,Four,di@example.com,Q," + ownerUser + ",2026-11-05T12:00:00Z",
		"7,Gus,Seven,gus@new.example.com,G," + ownerUser + ",2026-11-05T12:00:00Z",
		"8,Hal,Eight,hal@example.com,H,,2026-11-05T12:00:00Z",
	},
}

// writeExport writes one day's export to dir/<date>/people.csv.
func writeExport(t *testing.T, dir, date string) string {
	t.Helper()
	path := filepath.Join(dir, date, "people.csv")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	body := "id,firstName,lastName,email,title,sfdcLeadOwnerId,updatedAt\n" + strings.Join(dailyExports[date], "\n") + "\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// peopleState is the people table without run bookkeeping: what must not
// depend on the order the exports arrived in.
func peopleState(t *testing.T, state string) string {
	t.Helper()
	return strings.Join(queryState(t, state, `SELECT p::VARCHAR FROM (
		SELECT * EXCLUDE (first_run_id, last_changed_run_id, source_file, source_line) FROM people) p
		ORDER BY p.marketo_id`), "\n")
}

// TestBackfillOutOfOrder delivers five dated exports in two batches, out
// of order (days 1, 4, 5, then 2 and 3 with day 4 sent again), and checks
// that the final people equal applying the five once in date order.
func TestBackfillOutOfOrder(t *testing.T) {
	dir := t.TempDir()
	dates := []string{"2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"}

	ordered := filepath.Join(dir, "ordered")
	for _, d := range dates {
		runOK(t, "run", "--state", ordered, "--max-deactivate", "100", "--as-of", d, "--people", writeExport(t, filepath.Join(dir, "src"), d))
	}

	inbox := filepath.Join(dir, "inbox")
	state := filepath.Join(dir, "state")
	for _, d := range []string{"2026-11-01", "2026-11-04", "2026-11-05"} {
		writeExport(t, inbox, d)
	}
	// --list applies nothing and creates no state.
	if plan := runOK(t, "backfill", "--state", state, "--list", inbox); strings.Count(plan, "pending ") != 3 {
		t.Errorf("--list on a new state:\n%s", plan)
	}
	if _, err := os.Stat(state); !os.IsNotExist(err) {
		t.Errorf("--list created the state: %v", err)
	}
	first := runOK(t, "backfill", "--state", state, "--max-deactivate", "100", inbox)
	if n := strings.Count("\n"+first, "\napplied "); n != 3 {
		t.Fatalf("first backfill applied %d exports, want 3:\n%s", n, first)
	}
	for _, d := range []string{"2026-11-02", "2026-11-03"} {
		writeExport(t, inbox, d)
	}
	// Day 4 delivered again, under another directory: the same bytes.
	writeExport(t, filepath.Join(inbox, "resent"), "2026-11-04")
	second := runOK(t, "backfill", "--state", state, "--max-deactivate", "100", inbox)
	for _, want := range []string{
		"skipped  2026-11-01 ", "applied  2026-11-02 ", "applied  2026-11-03 ",
		"skipped  2026-11-04 ", "skipped  resent/2026-11-04 ", "skipped  2026-11-05 ",
	} {
		if !strings.Contains(second, want) {
			t.Errorf("second backfill output lacks %q:\n%s", want, second)
		}
	}
	if got, want := peopleState(t, state), peopleState(t, ordered); got != want {
		t.Errorf("people after the out-of-order backfill:\n%s\nwant (date order):\n%s", got, want)
	}
	// The late days lost rows to the newer state, and said so.
	stale := queryState(t, state, `SELECT string_agg(marketo_id || ':' || kind, ' ' ORDER BY marketo_id)
		FROM stale_rows JOIN runs USING (run_id) WHERE runs.as_of < TIMESTAMP '2026-11-04'`)
	if want := "1:sales_ready 4:sales_ready 5:sales_ready 5:owner_is_queue"; stale[0] != want {
		t.Errorf("stale rows of days 2 and 3 = %q, want %q", stale[0], want)
	}
	// Cy was first seen on day 2 but lost the owner on day 4, which arrived
	// first: day 2's row fills in the fields and Cy stays inactive.
	if got := queryState(t, state, "SELECT status || ' ' || status_reason || ' ' || title FROM people WHERE marketo_id = 3"); got[0] != "inactive no_sales_owner S" {
		t.Errorf("person 3 = %q, want inactive no_sales_owner S", got[0])
	}

	// Re-delivering an old file with `run` is a no-op too: Ed's day-2 row
	// is stale; Cy's and Hal's are late and change nothing.
	before := peopleState(t, state)
	out := runOK(t, "run", "--state", state, "--people", filepath.Join(inbox, "2026-11-02", "people.csv"))
	if !strings.Contains(out, "no changes") || !strings.Contains(out, "stale 1 ") {
		t.Errorf("re-delivered day 2: %s", out)
	}
	if after := peopleState(t, state); after != before {
		t.Errorf("re-delivering day 2 changed people:\n%s\nwas:\n%s", after, before)
	}
}

// TestBackfillStopsAndResumes: a broken export stops the backfill with a
// one-line cause naming it and how to resume; the exports before it stay
// applied, and the rerun after the fix skips them.
func TestBackfillStopsAndResumes(t *testing.T) {
	dir := t.TempDir()
	inbox := filepath.Join(dir, "inbox")
	state := filepath.Join(dir, "state")
	for _, d := range []string{"2026-11-01", "2026-11-02", "2026-11-03"} {
		writeExport(t, inbox, d)
	}
	broken := filepath.Join(inbox, "2026-11-02", "people.csv")
	good, err := os.ReadFile(broken)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(broken, []byte("email,title\nx@example.com,T\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"backfill", "--state", state, "--max-deactivate", "100", inbox}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1; stderr: %s", code, stderr.String())
	}
	msg := stderr.String()
	for _, want := range []string{"backfill stopped at export 2 of 3 (2026-11-02)", "people.csv", "the 1 applied before it are kept", "rerun the same command to resume"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Count(msg, "\n") != 1 {
		t.Errorf("error is not one line: %q", msg)
	}
	if got := queryState(t, state, "SELECT count(*)::VARCHAR FROM runs"); got[0] != "1" {
		t.Errorf("runs after the failure = %s, want 1", got[0])
	}
	if err := os.WriteFile(broken, good, 0o600); err != nil {
		t.Fatal(err)
	}
	out := runOK(t, "backfill", "--state", state, "--max-deactivate", "100", inbox)
	if !strings.Contains(out, "skipped  2026-11-01 ") || strings.Count("\n"+out, "\napplied ") != 2 {
		t.Errorf("resumed backfill:\n%s", out)
	}
}

// TestOldFullExportSparesNewerPeople: a full export applied after newer
// data deactivates only people the state last saw updated before its as-of
// time; the ones updated later may simply postdate it.
func TestOldFullExportSparesNewerPeople(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	runOK(t, "run", "--state", state, "--as-of", "2026-11-05", "--people", writeExport(t, dir, "2026-11-05"))
	runOK(t, "run", "--state", state, "--max-deactivate", "100", "--as-of", "2026-11-01", "--people", writeExport(t, dir, "2026-11-01"))
	// Day 3 as a full export: 2 and 5 (updated on day 1) are missing from
	// it; 7 was updated on day 5, after it.
	runOK(t, "run", "--state", state, "--full", "--max-deactivate", "100", "--as-of", "2026-11-03",
		"--people", writeExport(t, dir, "2026-11-03"))
	got := queryState(t, state, `SELECT string_agg(marketo_id || ':' || status || coalesce(':' || status_reason, ''), ' ' ORDER BY marketo_id) FROM people`)
	want := "1:active 2:inactive:missing_from_full_export 4:active 5:inactive:owner_is_queue 6:active 7:active 8:inactive:no_sales_owner"
	if got[0] != want {
		t.Errorf("people = %s\nwant      %s", got[0], want)
	}
}

// TestProgressBar: the bar counts exports and bytes, shows no ETA before an
// export was applied and one after, and a nil bar draws nothing.
func TestProgressBar(t *testing.T) {
	var out bytes.Buffer
	exports := []extract.Export{{Name: "a", Bytes: 100}, {Name: "b", Bytes: 300}}
	bar := newProgressBar(&out, exports)
	bar.start(0, exports[0])
	if got := out.String(); !strings.Contains(got, "0/2 exports   0% ETA -- applying a") {
		t.Errorf("before the first export: %q", got)
	}
	out.Reset()
	bar.done(0, exports[0])
	if got := out.String(); !strings.Contains(got, "[#######.......................] 1/2 exports  25% ETA ") || strings.Contains(got, "ETA --") {
		t.Errorf("after the first export: %q", got)
	}
	out.Reset()
	bar.done(1, exports[1]) // skipped: counts bytes, not time
	if got := out.String(); !strings.Contains(got, "2/2 exports 100%") {
		t.Errorf("after the second export: %q", got)
	}
	var none *progressBar
	none.start(0, exports[0])
	none.done(0, exports[0])
	none.clear()
}

// TestBackfillWithActivities: activity exports in a dated directory are
// reconciled in that export's run, after its people, as `run --people …
// --activities …` would; an undated activity file is refused by name.
func TestBackfillWithActivities(t *testing.T) {
	dir := t.TempDir()
	inbox := filepath.Join(dir, "inbox")
	copyDir(t, "../../fixtures/people/day1", filepath.Join(inbox, "2026-11-01"))
	copyDir(t, "../../fixtures/people/day2", filepath.Join(inbox, "2026-11-02"))
	copyDir(t, "../../fixtures/activities/2026-11-02", filepath.Join(inbox, "2026-11-02"))
	types := "../../fixtures/activities/activity_types.json"

	want := filepath.Join(dir, "want")
	runOK(t, "run", "--state", want, "--as-of", "2026-11-01", "--people", filepath.Join(inbox, "2026-11-01"))
	runOK(t, "run", "--state", want, "--as-of", "2026-11-02", "--people", "../../fixtures/people/day2",
		"--activities", "../../fixtures/activities/2026-11-02", "--activity-types", types)

	state := filepath.Join(dir, "state")
	if plan := runOK(t, "backfill", "--state", state, "--list", inbox); !strings.Contains(plan, "2026-11-02 (as of 2026-11-02T00:00:00Z, from path): 2 person files, 2 activity files") {
		t.Errorf("--list:\n%s", plan)
	}
	out := runOK(t, "backfill", "--state", state, "--activity-types", types, inbox)
	if !strings.Contains(out, "activities loaded") {
		t.Errorf("backfill output:\n%s", out)
	}
	for _, q := range []string{
		`SELECT string_agg(marketo_guid || ':' || match || ':' || coalesce(marketo_id::VARCHAR, ''), ' ' ORDER BY marketo_guid) FROM activities`,
		`SELECT string_agg(marketo_id || ':' || status || ':' || coalesce(status_reason, ''), ' ' ORDER BY marketo_id) FROM people`,
		`SELECT count(*)::VARCHAR FROM sales_activity_log`,
	} {
		if got, w := queryState(t, state, q)[0], queryState(t, want, q)[0]; got != w {
			t.Errorf("%s:\n got %s\nwant %s", q, got, w)
		}
	}

	// An activity file with no date in its path cannot be placed.
	loose := filepath.Join(dir, "loose")
	body, err := os.ReadFile("../../fixtures/activities/2026-11-02/2026-11-02-bulk-activities.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(loose, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(loose, "bulk-activities.csv"), body, 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"backfill", "--state", state, loose}, &stdout, &stderr); code != 1 ||
		!strings.Contains(stderr.String(), "an activity export without a date in its path") {
		t.Errorf("undated activities: exit %d, %s", code, stderr.String())
	}
}

// TestAnyDeliveryOrder generates random histories (people gaining and
// losing owners, queues, title changes, unchanged rows sent again) as six
// daily exports, applies them in date order and in a random order with one
// export delivered twice, and requires the same people table. Three seeds;
// a failure names the seed and the order.
func TestAnyDeliveryOrder(t *testing.T) {
	if testing.Short() {
		t.Skip("36 runs")
	}
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 99))
			dir := t.TempDir()
			const days, people = 6, 24
			owners := []string{ownerUser, "005000000000002", ownerUser, "005000000000002", ownerQueue, ""}
			last := map[int]string{} // person → their newest row
			var files []string
			for d := 1; d <= days; d++ {
				var rows []string
				for p := 1; p <= people; p++ {
					switch r := rng.Float64(); {
					case r < 0.4:
						continue // not in this export
					case r < 0.55 && last[p] != "":
						rows = append(rows, last[p]) // unchanged, sent again
						continue
					}
					row := fmt.Sprintf("%d,P%d,Last,p%d@example.com,T%d,%s,2026-11-%02dT%02d:00:00Z",
						p, p, p, rng.IntN(3), owners[rng.IntN(len(owners))], d, rng.IntN(24))
					rows = append(rows, row)
					last[p] = row
				}
				path := filepath.Join(dir, "src", fmt.Sprintf("2026-11-%02d", d), "people.csv")
				if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
					t.Fatal(err)
				}
				body := "id,firstName,lastName,email,title,sfdcLeadOwnerId,updatedAt\n" + strings.Join(rows, "\n") + "\n"
				if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
				files = append(files, path)
			}
			apply := func(state string, order []int) {
				for _, i := range order {
					runOK(t, "run", "--state", state, "--max-deactivate", "100",
						"--as-of", fmt.Sprintf("2026-11-%02d", i+1), "--people", files[i])
				}
			}
			inOrder := []int{0, 1, 2, 3, 4, 5}
			shuffled := slices.Clone(inOrder)
			rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			shuffled = append(shuffled, shuffled[rng.IntN(days)])
			apply(filepath.Join(dir, "ordered"), inOrder)
			apply(filepath.Join(dir, "shuffled"), shuffled)
			got := strings.Split(peopleState(t, filepath.Join(dir, "shuffled")), "\n")
			want := strings.Split(peopleState(t, filepath.Join(dir, "ordered")), "\n")
			if len(got) != len(want) {
				t.Fatalf("order %v: %d people, date order %d", shuffled, len(got), len(want))
			}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("order %v:\n got %s\nwant %s", shuffled, got[i], want[i])
				}
			}
		})
	}
}

// TestBackfillSkipsExportWithIdenticalFiles: an export holding the same
// file twice is skipped on the rerun like any other applied export.
func TestBackfillSkipsExportWithIdenticalFiles(t *testing.T) {
	dir := t.TempDir()
	inbox := filepath.Join(dir, "inbox")
	path := writeExport(t, inbox, "2026-11-01")
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(inbox, "2026-11-01", "people-copy.csv"), body, 0o600); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "state")
	runOK(t, "backfill", "--state", state, inbox)
	if out := runOK(t, "backfill", "--state", state, inbox); !strings.HasPrefix(out, "skipped  2026-11-01 ") {
		t.Errorf("rerun over an applied export with identical files:\n%s", out)
	}
}
