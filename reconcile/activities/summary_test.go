package activities

import (
	"context"
	dbsql "database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/internal/golden"
	sqlfiles "github.com/actsync/actsync/sql"
	"github.com/actsync/actsync/stages/extract"
)

// fullSummary is person_activity_summary recomputed over every stored
// activity, as sql/activities/080_activity_summary_insert.sql computed it for every touched
// person before the summary became incremental (run_id left out).
const fullSummary = `
SELECT
    a.marketo_id,
    count(*),
    count(*) FILTER (WHERE a.category = 'sales_email'),
    count(*) FILTER (WHERE a.category = 'sales_call'),
    count(*) FILTER (WHERE a.category = 'sales_campaign'),
    count(*) FILTER (WHERE a.category = 'marketing_email'),
    count(*) FILTER (WHERE a.category = 'web'),
    count(*) FILTER (WHERE a.category = 'form'),
    count(*) FILTER (WHERE a.category = 'interesting_moment'),
    count(*) FILTER (WHERE a.category = 'lifecycle'),
    count(*) FILTER (WHERE a.category = 'other'),
    max(a.activity_date),
    max(a.activity_date) FILTER (WHERE a.category IN ('sales_email', 'sales_call', 'sales_campaign')),
    max(a.activity_date) FILTER (WHERE a.category = 'interesting_moment'),
    max_by(coalesce(json_extract_string(a.attributes, '$."Description"'), a.primary_attribute_value),
           (a.activity_date, a.marketo_guid)) FILTER (WHERE a.category = 'interesting_moment')
FROM activities a
WHERE a.marketo_id IS NOT NULL
GROUP BY a.marketo_id`

// TestSummaryIncremental applies several runs of random activities (few
// distinct dates, so that a run's last Interesting Moment often ties with
// the stored one, on either side of the guid order; leadIds of active,
// inactive and unknown people; email matches; re-delivered rows) and checks
// after each run that the incrementally kept summary equals the summary
// recomputed over every stored activity, row for row.
func TestSummaryIncremental(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	_, conn := golden.OpenDB(t, filepath.Join(dir, "t.duckdb"))
	for _, q := range []string{sqlfiles.Text("schema/schema"), sqlfiles.Text("schema/activity_schema"), sqlPeople} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rng := rand.New(rand.NewPCG(12, 1))
	types := []int{39, 40, 45, 46, 46, 46, 1, 2, 6, 9, 999}
	emails := []string{"ann@x.example", "DUP@x.example", "gone@x.example", "nobody@x.example", ""}
	guid := 10_000
	var earlier []string // rows of earlier runs, some delivered again
	tiesSeen := 0
	for run := int64(7); run < 15; run++ {
		var b strings.Builder
		b.WriteString("marketoGUID,leadId,activityDate,activityTypeId,campaignId,primaryAttributeValueId,primaryAttributeValue,attributes\n")
		for i := 0; i < 60; i++ {
			if len(earlier) > 0 && rng.IntN(10) == 0 {
				b.WriteString(earlier[rng.IntN(len(earlier))])
				continue
			}
			// Guids go up and down, so a tie may be won by either side.
			guid += 1 + rng.IntN(3)
			g := guid
			if rng.IntN(2) == 0 {
				g = 100_000 - guid
			}
			lead := fmt.Sprint(1 + rng.IntN(12)) // 11 and 12 are unknown
			attrs := ""
			if rng.IntN(3) == 0 {
				lead = ""
				if e := emails[rng.IntN(len(emails))]; e != "" {
					attrs = fmt.Sprintf(`"{""Email"":""%s""}"`, e)
				}
			}
			ty := types[rng.IntN(len(types))]
			if ty == 46 && rng.IntN(2) == 0 {
				attrs = fmt.Sprintf(`"{""Description"":""moment %d""}"`, g)
			}
			row := fmt.Sprintf("%d,%s,2026-11-0%dT09:00:00Z,%d,,,pav %d,%s\n", g, lead, 1+rng.IntN(3), ty, g, attrs)
			earlier = append(earlier, row)
			b.WriteString(row)
		}
		src := filepath.Join(dir, fmt.Sprintf("run%d.csv", run))
		if err := os.WriteFile(src, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		staged, err := Extract(ctx, []extract.Source{{Path: src, Format: extract.CSV}}, BuiltinTypes(), mem, filepath.Join(dir, fmt.Sprint(run)), 1)
		if err != nil {
			t.Fatal(err)
		}
		r := &Reconcile{Staged: staged, Options: Options{LogEmails: true, LogCalls: true}}
		r.afterStatement = func(tx *dbsql.Tx, name string) {
			if name == "activity_summary_delta" {
				var n int
				if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM activity_summary_delta WHERE recompute").Scan(&n); err != nil {
					t.Fatal(err)
				}
				tiesSeen += n
			}
		}
		golden.ApplyRun(t, conn, r, run, nil)

		diff := golden.Query(t, conn, `SELECT 'only stored' AS side, * FROM (SELECT * EXCLUDE (run_id) FROM person_activity_summary EXCEPT ALL (`+fullSummary+`))
			UNION ALL SELECT 'only recomputed', * FROM ((`+fullSummary+`) EXCEPT ALL SELECT * EXCLUDE (run_id) FROM person_activity_summary)`)
		if strings.Count(diff, "\n") != 1 {
			t.Fatalf("run %d: the incremental summary differs from the full recomputation:\n%s", run, diff)
		}
	}
	if tiesSeen == 0 {
		t.Errorf("no run had a tie of Interesting Moment dates: the recompute path went untested")
	}
}
