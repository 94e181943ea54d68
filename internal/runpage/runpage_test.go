package runpage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/actsync/actsync/internal/golden"
	"github.com/actsync/actsync/pipeline"
)

// fixtureReports are the reports of three runs on the fixtures: day 1;
// day 2 with the 2026-11-02 activities; day 3 --full with the 2026-11-03
// activities.
func fixtureReports(t *testing.T) []*pipeline.Report {
	t.Helper()
	var reps []*pipeline.Report
	for i := 1; i <= 3; i++ {
		data, err := os.ReadFile(filepath.Join("testdata", fmt.Sprintf("run%d.json", i)))
		if err != nil {
			t.Fatal(err)
		}
		var r pipeline.Report
		if err := json.Unmarshal(data, &r); err != nil {
			t.Fatal(err)
		}
		reps = append(reps, &r)
	}
	return reps
}

func render(t *testing.T, p Page) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, p); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestRenderGolden(t *testing.T) {
	reps := fixtureReports(t)
	got := render(t, Page{Run: reps[2], History: reps[:2]})
	golden.Compare(t, filepath.Join("testdata", "run3.html"), string(got))
}

// TestPageNumbers parses the page and checks every funnel count against
// the report, and that the counts on the page add up by themselves.
func TestPageNumbers(t *testing.T) {
	reps := fixtureReports(t)
	for _, r := range reps {
		t.Run(fmt.Sprintf("run %d", r.RunID), func(t *testing.T) {
			doc := parse(t, render(t, Page{Run: r, History: reps[:r.RunID-1]}))
			checkSelfContained(t, doc.root)
			checkFunnelNumbers(t, doc, r)
		})
	}
}

// checkFunnelNumbers checks the people and activity funnels of a parsed
// page against r: each count shown, and the sums the funnel draws.
func checkFunnelNumbers(t *testing.T, doc *page, r *pipeline.Report) {
	t.Helper()
	want := map[string]int64{
		"duplicate_email_groups": r.DupGroups,
		"duplicate_email_people": r.DupPeople,
	}
	if len(r.Inputs) > 0 {
		rows, c := r.Rows, r.Changes
		for k, v := range map[string]int64{
			"read": rows.Read, "rejected": rows.Rejected, "superseded": rows.Superseded, "stale": rows.Stale, "excluded": rows.Excluded,
			"synced": rows.Synced, "inserted": c.Insert, "updated": c.Update, "reactivated": c.Reactivate,
			"unchanged": rows.Synced - c.Insert - c.Update - c.Reactivate, "deactivated": c.Deactivate,
		} {
			want[k] = v
		}
		for reason, n := range rows.RejectedBy {
			want["rejected/"+reason] = n
		}
		for reason, n := range rows.ExcludedBy {
			want["excluded/"+reason] = n
		}
		// The page's own arithmetic, from what it shows.
		s := doc.steps
		if s["read"] != s["rejected"]+s["superseded"]+s["stale"]+s["excluded"]+s["synced"] {
			t.Errorf("page: read %d != rejected + superseded + stale + excluded + synced (%v)", s["read"], s)
		}
		if s["synced"] != s["inserted"]+s["updated"]+s["reactivated"]+s["unchanged"] {
			t.Errorf("page: synced %d != inserted + updated + reactivated + unchanged (%v)", s["synced"], s)
		}
		checkReasonsSum(t, s, "rejected")
		checkReasonsSum(t, s, "excluded")
	} else if _, ok := doc.steps["read"]; ok {
		t.Errorf("a run without people inputs shows a people funnel")
	}
	if a := r.Activities; a != nil {
		for k, v := range map[string]int64{
			"read": a.Read, "rejected": a.Rejected, "repeated": a.Repeated, "already_loaded": a.AlreadyLoaded,
			"loaded": a.Loaded, "matched": a.Matched, "person_inactive": a.PersonInactive,
			"person_unknown": a.PersonUnknown, "ambiguous_email": a.AmbiguousEmail,
		} {
			want["activities/"+k] = v
		}
		for reason, n := range a.RejectedBy {
			want["activities/rejected/"+reason] = n
		}
		s := doc.steps
		if s["activities/read"] != s["activities/rejected"]+s["activities/repeated"]+s["activities/already_loaded"]+s["activities/loaded"] {
			t.Errorf("page: activities read does not add up (%v)", s)
		}
		if s["activities/loaded"] != s["activities/matched"]+s["activities/person_inactive"]+s["activities/person_unknown"]+s["activities/ambiguous_email"] {
			t.Errorf("page: activities loaded != sum of buckets (%v)", s)
		}
		checkReasonsSum(t, s, "activities/rejected")
	} else if _, ok := doc.steps["activities/read"]; ok {
		t.Errorf("a run without activities shows an activity funnel")
	}
	for k, v := range want {
		got, ok := doc.steps[k]
		switch {
		case !ok:
			t.Errorf("page has no %q count (want %d)", k, v)
		case got != v:
			t.Errorf("page shows %s = %d, report has %d", k, got, v)
		}
	}
	for k := range doc.steps {
		if _, ok := want[k]; !ok {
			t.Errorf("page shows a count %q the test does not know", k)
		}
	}
}

func checkReasonsSum(t *testing.T, steps map[string]int64, parent string) {
	t.Helper()
	var sum int64
	n := 0
	for k, v := range steps {
		if rest, ok := strings.CutPrefix(k, parent+"/"); ok && !strings.Contains(rest, "/") {
			sum += v
			n++
		}
	}
	if n > 0 && sum != steps[parent] {
		t.Errorf("page: %s %d != sum of its reasons %d", parent, steps[parent], sum)
	}
}

// TestShapes renders the report shapes a run can have.
func TestShapes(t *testing.T) {
	reps := fixtureReports(t)
	day1, run2, run3 := reps[0], reps[1], reps[2]

	activitiesOnly := *run3
	activitiesOnly.Inputs, activitiesOnly.Full = nil, false
	activitiesOnly.Rows = pipeline.Rows{}
	activitiesOnly.Changes = pipeline.Changes{Deactivate: 2}

	dry := *run3
	dry.RunID = 4
	dry.DryRun = &pipeline.DryRun{FirstIDs: map[string][]int64{"update": {1023}, "deactivate": {1022, 1031}}}

	empty := *day1
	empty.Inputs = []pipeline.Input{{Path: "header_only.csv", Format: "csv", SHA256: strings.Repeat("0", 64)}}
	empty.Rows = pipeline.Rows{}
	empty.Changes = pipeline.Changes{}
	empty.Active, empty.DupGroups, empty.DupPeople = 0, 0, 0

	peopleOnly := *run2
	peopleOnly.Activities = nil

	// A late delivery: 3 of run 2's synced rows were older than the state.
	late := peopleOnly
	late.Rows.Synced -= 3
	late.Rows.Stale = 3
	late.Changes.Update -= 3

	var long []*pipeline.Report
	for i := range 40 {
		r := *day1
		r.RunID = int64(i + 1)
		r.StartedAt = day1.StartedAt.Add(time.Duration(i) * 24 * time.Hour)
		r.FinishedAt = r.StartedAt.Add(time.Duration(i+1) * time.Second)
		r.Active = int64(1000 + 10*i)
		long = append(long, &r)
	}

	tests := []struct {
		name string
		page Page
		// want and wantNot are strings the page must and must not hold.
		want, wantNot []string
		bars          int // bars per trend chart
	}{
		{"first run, people only", Page{Run: day1}, []string{"First run", `data-step="read"`}, []string{`id="activities"`, `id="dry-run"`}, 1},
		{"people only, with history", Page{Run: &peopleOnly, History: reps[:1]}, []string{`data-step="unchanged"`}, []string{`id="activities"`, "activities loaded"}, 2},
		{"people and activities", Page{Run: run3, History: reps[:2]}, []string{`id="activities"`, "full export"}, []string{"First run"}, 3},
		{"activities only", Page{Run: &activitiesOnly, History: reps[:2]}, []string{"activities only", "read no people input", "Deactivated by activities: 2"}, []string{`data-step="read"`}, 3},
		{"dry run", Page{Run: &dry, History: reps}, []string{`id="dry-run"`, "the report of a dry run"}, []string{"runs/4.json", "1022"}, 4},
		{"late delivery", Page{Run: &late, History: reps[:1]}, []string{`data-step="stale"`, "stale 3"}, nil, 2},
		{"nothing read", Page{Run: &empty}, []string{`data-step="read"`, "header_only.csv"}, nil, 1},
		{"long history", Page{Run: long[39], History: long[:39]}, []string{"Runs 11 to 40"}, nil, TrendRuns},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := render(t, tt.page)
			doc := parse(t, out)
			checkSelfContained(t, doc.root)
			checkFunnelNumbers(t, doc, tt.page.Run)
			for _, s := range tt.want {
				if !bytes.Contains(out, []byte(s)) {
					t.Errorf("page does not hold %q", s)
				}
			}
			for _, s := range tt.wantNot {
				if bytes.Contains(out, []byte(s)) {
					t.Errorf("page holds %q", s)
				}
			}
			if len(doc.charts) == 0 {
				t.Fatalf("no trend charts")
			}
			for name, bars := range doc.charts {
				if bars != tt.bars {
					t.Errorf("chart %q has %d bars, want %d", name, bars, tt.bars)
				}
			}
		})
	}
}

func TestRenderNoReport(t *testing.T) {
	if err := Render(&bytes.Buffer{}, Page{}); err == nil {
		t.Error("Render without a report succeeded")
	}
}

func TestNum(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4200: "-4,200"} {
		if got := num(n); got != want {
			t.Errorf("num(%d) = %q, want %q", n, got, want)
		}
	}
}

// page is what the tests read back from a rendered page.
type page struct {
	root   *html.Node
	steps  map[string]int64 // data-step key -> the count shown
	charts map[string]int   // chart aria-label -> bars
}

func parse(t *testing.T, b []byte) *page {
	t.Helper()
	root, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("page does not parse: %v", err)
	}
	p := &page{root: root, steps: map[string]int64{}, charts: map[string]int{}}
	for n := range root.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		if key := attr(n, "data-step"); key != "" {
			if _, dup := p.steps[key]; dup {
				t.Errorf("count %q shown twice", key)
			}
			p.steps[key] = count(t, key, n)
		}
		if n.Data == "svg" {
			bars := 0
			for c := range n.Descendants() {
				if c.Type == html.ElementNode && c.Data == "rect" {
					bars++
				}
			}
			p.charts[attr(n, "aria-label")] = bars
		}
	}
	return p
}

// count reads the number in a row's td.n cell.
func count(t *testing.T, key string, row *html.Node) int64 {
	t.Helper()
	for c := range row.Descendants() {
		if c.Type == html.ElementNode && c.Data == "td" && strings.Contains(" "+attr(c, "class")+" ", " n ") {
			var n int64
			if _, err := fmt.Sscan(strings.ReplaceAll(text(c), ",", ""), &n); err != nil {
				t.Errorf("count %q: %q is not a number", key, text(c))
			}
			return n
		}
	}
	t.Errorf("count %q: row has no number cell", key)
	return -1
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func text(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return strings.TrimSpace(b.String())
}

// checkSelfContained fails the test for each external reference.
func checkSelfContained(t *testing.T, root *html.Node) {
	t.Helper()
	for _, problem := range externalRefs(root) {
		t.Error(problem)
	}
}

// externalRefs lists anything that would make a browser fetch: a script, a
// linked stylesheet, an embedded resource element, a URL in an attribute,
// an @import or url() in CSS.
func externalRefs(root *html.Node) []string {
	fetching := map[string]bool{"script": true, "link": true, "img": true, "iframe": true, "frame": true, "object": true,
		"embed": true, "video": true, "audio": true, "source": true, "track": true, "picture": true, "image": true, "use": true, "base": true, "form": true}
	var problems []string
	for n := range root.Descendants() {
		switch n.Type {
		case html.ElementNode:
			if fetching[n.Data] {
				problems = append(problems, fmt.Sprintf("page has a <%s> element", n.Data))
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				val := strings.ToLower(strings.TrimSpace(a.Val))
				switch {
				case key == "src" || key == "href" || key == "srcset" || key == "action" || key == "poster" || key == "background" || key == "xmlns":
					problems = append(problems, fmt.Sprintf("<%s> has %s=%q", n.Data, a.Key, a.Val))
				case strings.HasPrefix(key, "on"):
					problems = append(problems, fmt.Sprintf("<%s> has a script handler %s", n.Data, a.Key))
				case strings.Contains(val, "://") || strings.HasPrefix(val, "//") || strings.Contains(val, "url(") || strings.Contains(val, "@import"):
					problems = append(problems, fmt.Sprintf("<%s> %s=%q refers outside the page", n.Data, a.Key, a.Val))
				case n.Data == "meta" && key == "http-equiv":
					problems = append(problems, fmt.Sprintf("page has <meta http-equiv=%q>", a.Val))
				}
			}
		case html.TextNode:
			if n.Parent != nil && n.Parent.Data == "style" {
				css := strings.ToLower(n.Data)
				if strings.Contains(css, "@import") || strings.Contains(css, "url(") || strings.Contains(css, "@font-face") {
					problems = append(problems, "inline CSS refers outside the page")
				}
			}
		}
	}
	return problems
}

// TestExternalRefs checks the checker: each snippet would fetch something.
func TestExternalRefs(t *testing.T) {
	for _, snippet := range []string{
		`<script src="https://cdn.example/x.js"></script>`,
		`<script>fetch("/x")</script>`,
		`<link rel="stylesheet" href="style.css">`,
		`<img src="data:image/png;base64,AAAA">`,
		`<a href="https://example.org/">x</a>`,
		`<div style="background: url(//example.org/a.png)"></div>`,
		`<style>@import "x.css";</style>`,
		`<style>body { background: url(x.png) }</style>`,
		`<svg><image xlink:href="x.png"/></svg>`,
		`<svg xmlns="http://www.w3.org/2000/svg"></svg>`,
		`<body onload="x()">`,
		`<meta http-equiv="refresh" content="0; url=https://example.org/">`,
	} {
		root, err := html.Parse(strings.NewReader("<!DOCTYPE html><html><head></head><body>" + snippet + "</body></html>"))
		if err != nil {
			t.Fatal(err)
		}
		if len(externalRefs(root)) == 0 {
			t.Errorf("not caught: %s", snippet)
		}
	}
}
