package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDuplicateReportMatchesFullGrouping checks the incremental duplicate
// report (sql/dedupe/duplicate_emails_delta.sql: only the keys a run touched are
// grouped again, the last run's other groups are copied) against grouping
// every person, after each of a dozen random nightly runs: people share a
// few addresses in case and space variants, change address, gain, lose or
// queue their owner; every fourth run is --full, and one person is erased
// half way.
func TestDuplicateReportMatchesFullGrouping(t *testing.T) {
	const full = `SELECT email_key, count(*) AS person_count, list(marketo_id ORDER BY marketo_id) AS marketo_ids
		FROM people WHERE status = 'active' AND email_key IS NOT NULL
		GROUP BY ALL HAVING count(*) > 1 ORDER BY ALL`
	const stored = `SELECT email_key, person_count, marketo_ids FROM duplicate_emails
		WHERE run_id = (SELECT max(run_id) FROM runs) ORDER BY ALL`
	emails := []string{"a@x.com", " A@x.com", "b@x.com", "B@X.COM ", "c@x.com", "d@x.com", ""}
	owners := []string{ownerUser, "005000000000002", ownerUser, ownerQueue, ""}
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			dir := t.TempDir()
			state := filepath.Join(dir, "state")
			groups := 0
			for day := 1; day <= 12; day++ {
				var rows []string
				for p := 1; p <= 20; p++ {
					if day > 1 && rng.Float64() < 0.5 {
						continue // not in this export
					}
					rows = append(rows, fmt.Sprintf("%d,P%d,Last,%s,T,%s,2026-11-%02dT%02d:00:00Z",
						p, p, emails[rng.IntN(len(emails))], owners[rng.IntN(len(owners))], day, p))
				}
				path := filepath.Join(dir, fmt.Sprintf("day%02d.csv", day))
				body := "id,firstName,lastName,email,title,sfdcLeadOwnerId,updatedAt\n" + strings.Join(rows, "\n") + "\n"
				if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
				args := []string{"run", "--state", state, "--max-deactivate", "100", "--people", path}
				if day%4 == 0 {
					args = append(args, "--full")
				}
				runOK(t, args...)
				if day == 6 {
					runOK(t, "erase", "--state", state, "--marketo-id", "3")
				}
				want := runOK(t, "query", "--state", state, "--format", "csv", full)
				if got := runOK(t, "query", "--state", state, "--format", "csv", stored); got != want {
					t.Fatalf("day %d: stored groups\n%s\ngrouping every person\n%s", day, got, want)
				}
				groups += strings.Count(want, "\n") - 1
			}
			if groups < 12 {
				t.Errorf("only %d duplicate groups over the 12 runs: the test exercises too little", groups)
			}
		})
	}
}

// TestFirstRunDuplicatesExcludeInactive checks that the first run's
// duplicate groups (sql/dedupe/duplicate_emails.sql, not the delta) hold active
// people only: of three people sharing an address, one deleted in Marketo
// by the same run's activities (Delete Lead) and one merged away (Merge
// Leads) leave no group. The grouping every
// other test checks only ever met inactive people on later runs.
func TestFirstRunDuplicatesExcludeInactive(t *testing.T) {
	dir := t.TempDir()
	people := filepath.Join(dir, "people.csv")
	acts := filepath.Join(dir, "activities.csv")
	for path, body := range map[string]string{
		people: "id,email,sfdcLeadOwnerId,updatedAt\n" +
			"1,same@x.example," + ownerUser + ",2026-11-01T08:00:00Z\n" +
			"2,Same@x.example," + ownerUser + ",2026-11-01T08:00:00Z\n" +
			"3, same@x.example ," + ownerUser + ",2026-11-01T08:00:00Z\n" +
			"4,pair@x.example," + ownerUser + ",2026-11-01T08:00:00Z\n" +
			"5,PAIR@x.example," + ownerUser + ",2026-11-01T08:00:00Z\n",
		acts: "marketoGUID,leadId,activityDate,activityTypeId,attributes\n" +
			"901,2,2026-11-01T09:00:00Z,37,\n" +
			"902,1,2026-11-01T09:05:00Z,32,\"{\"\"Merge IDs\"\":[3]}\"\n",
	} {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	state := filepath.Join(dir, "state")
	runOK(t, "run", "--state", state, "--people", people, "--activities", acts)
	inactive := runOK(t, "query", "--state", state, "--format", "csv",
		"SELECT marketo_id, status_reason FROM people WHERE status = 'inactive' ORDER BY ALL")
	if inactive != "marketo_id,status_reason\n2,deleted_in_marketo\n3,merged\n" {
		t.Fatalf("inactive people after the first run:\n%s", inactive)
	}
	got := runOK(t, "query", "--state", state, "--format", "csv",
		"SELECT run_id, email_key, person_count, marketo_ids FROM duplicate_emails ORDER BY ALL")
	if want := "run_id,email_key,person_count,marketo_ids\n1,pair@x.example,2,\"[4, 5]\"\n"; got != want {
		t.Errorf("first run's duplicate groups:\n%s\nwant\n%s", got, want)
	}
}
