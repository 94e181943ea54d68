// Package runpage renders a run report (pipeline.Report) as one
// self-contained HTML page: the run as a funnel (read, where rows left,
// synced, what the load did), duplicates, activity buckets, inputs, stage
// timings and small trend charts over the last runs.
//
// The page makes no network request: CSS is inline, charts are inline SVG,
// there is no script, font, image or link. It carries counts, file paths and
// hashes only, like the report it is drawn from: no name, email, phone or
// Marketo id, so it can be passed around without becoming personal data.
//
// Render is a pure function of its Page: the same reports give the same
// bytes, so a page can be regenerated from the stored reports at any time.
package runpage

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/actsync/actsync/pipeline"
)

// TrendRuns is how many runs the trend charts show, the page's run
// included.
const TrendRuns = 30

// Page is what Render draws.
type Page struct {
	// Run is the run the page is about.
	Run *pipeline.Report
	// History holds the reports of earlier runs, oldest first, with run ids
	// below Run's. The trend charts show the last TrendRuns-1 of them
	// followed by Run; an empty History is a first run.
	History []*pipeline.Report
}

//go:embed page.html.tmpl
var pageTemplate string

var tmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"num":  num,
	"pct":  func(p float64) string { return strconv.FormatFloat(p, 'f', 1, 64) },
	"secs": func(s float64) string { return strconv.FormatFloat(s, 'f', 2, 64) + " s" },
	"utc":  func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
}).Parse(pageTemplate))

// Render writes the page as HTML to w.
func Render(w io.Writer, page Page) error {
	if page.Run == nil {
		return fmt.Errorf("runpage: no run report")
	}
	return tmpl.Execute(w, newView(page))
}

// view is the page as the template reads it: every number already
// computed, every list already ordered.
type view struct {
	Run        *pipeline.Report
	Kind       string
	Seconds    float64
	People     *funnel // nil when the run read no people input
	Activities *activityView
	Inputs     []inputRow
	Timings    []timingRow
	Trends     []chart
	TrendNote  string
}

func newView(p Page) view {
	r := p.Run
	v := view{
		Run:     r,
		Kind:    kind(r),
		Seconds: r.FinishedAt.Sub(r.StartedAt).Seconds(),
		Inputs:  inputRows(r),
		Timings: timingRows(r.Stages),
	}
	if len(r.Inputs) > 0 {
		v.People = peopleFunnel(r)
	}
	if r.Activities != nil {
		v.Activities = newActivityView(r.Activities)
	}
	runs := append(lastN(p.History, TrendRuns-1), r)
	v.Trends = trendCharts(runs, r.RunID)
	v.TrendNote = fmt.Sprintf("Runs %d to %d; this run is the last bar, in a darker shade.", runs[0].RunID, r.RunID)
	if len(runs) == 1 {
		v.TrendNote = "First run: the charts fill in with the next runs."
	}
	return v
}

func kind(r *pipeline.Report) string {
	switch {
	case len(r.Inputs) == 0 && r.Activities != nil:
		return "activities only"
	case r.Full:
		return "full export"
	default:
		return "incremental"
	}
}

func lastN(rs []*pipeline.Report, n int) []*pipeline.Report {
	if len(rs) > n {
		rs = rs[len(rs)-n:]
	}
	return slices.Clone(rs)
}

// A funnel is a list of steps, each drawn as one row with a bar scaled to
// the first step. Adding a count to the page is adding a step to a list in
// peopleFunnel or newActivityView; the template has no markup per count.
type funnel struct {
	Steps   []step
	Balance string // the accounting identity with its numbers
	OK      bool   // whether the identity holds
}

// step is one row of a funnel.
type step struct {
	Key   string // stable name, the row's data-step attribute
	Label string
	N     int64
	Class string // total: a level of the funnel; out: rows that left it; reason: a breakdown of the row above; op: what happened to the rows; side: counted beside the funnel; rejects is added to bad rows and their reasons
	Note  string
	Pct   float64 // bar width, percent of the funnel's first step
}

// branch is a count that leaves a funnel, with its reasons.
type branch struct {
	key, label string
	n          int64
	by         map[string]int64
	note       string
	side       bool // counted beside the funnel, not out of its rows
	rejects    bool // rows that were bad input, drawn in red
}

// newFunnel lays out total, then each branch with its reasons, then the
// rest, then what happened to the rest.
func newFunnel(total step, branches []branch, rest step, ops []branch) *funnel {
	f := &funnel{}
	add := func(s step) {
		if total.N > 0 {
			s.Pct = 100 * float64(s.N) / float64(total.N)
		}
		f.Steps = append(f.Steps, s)
	}
	total.Class, rest.Class = "total", "total"
	add(total)
	for _, b := range branches {
		out, reason := "out", "reason"
		if b.rejects {
			out, reason = "out rejects", "reason rejects"
		}
		add(step{Key: b.key, Label: b.label, N: b.n, Class: out, Note: b.note})
		for _, r := range slices.Sorted(maps.Keys(b.by)) {
			add(step{Key: b.key + "/" + r, Label: r, N: b.by[r], Class: reason})
		}
	}
	add(rest)
	for _, o := range ops {
		class := "op"
		if o.side {
			class = "side"
		}
		add(step{Key: o.key, Label: o.label, N: o.n, Class: class, Note: o.note})
	}
	return f
}

func peopleFunnel(r *pipeline.Report) *funnel {
	rows, c := r.Rows, r.Changes
	f := newFunnel(
		step{Key: "read", Label: "read", N: rows.Read, Note: "rows in the people inputs"},
		[]branch{
			{key: "rejected", label: "rejected", n: rows.Rejected, by: rows.RejectedBy, rejects: true, note: "kept with the raw row in rejects"},
			{key: "superseded", label: "superseded", n: rows.Superseded, note: "a newer row for the same person in this run"},
			{key: "stale", label: "stale", n: rows.Stale, note: "older than what the state already holds: changed nothing"},
			{key: "excluded", label: "excluded", n: rows.Excluded, by: rows.ExcludedBy, note: "not sales-ready"},
		},
		step{Key: "synced", Label: "synced", N: rows.Synced, Note: "sales-ready people"},
		[]branch{
			{key: "inserted", label: "inserted", n: c.Insert},
			{key: "updated", label: "updated", n: c.Update, note: "a synced field or the owner changed"},
			{key: "reactivated", label: "reactivated", n: c.Reactivate},
			{key: "unchanged", label: "unchanged", n: max(rows.Synced-c.Insert-c.Update-c.Reactivate, 0)},
			// Deactivations do not come from synced rows: they are people
			// excluded now, absent from a --full export, or merged or
			// deleted by activities.
			{key: "deactivated", label: "deactivated", n: c.Deactivate, side: true, note: "lost sync status: excluded now, absent from a full export, merged or deleted"},
		},
	)
	f.OK = rows.Balanced()
	f.Balance = fmt.Sprintf("read %s = synced %s + excluded %s + rejected %s + superseded %s + stale %s",
		num(rows.Read), num(rows.Synced), num(rows.Excluded), num(rows.Rejected), num(rows.Superseded), num(rows.Stale))
	return f
}

// activityView is the activities part of the page.
type activityView struct {
	Loaded   int64
	Funnel   *funnel
	Category []kv
	Kinds    []kv
	Outputs  []kv
}

type kv struct {
	Key string
	N   int64
}

func sortedKV(m map[string]int64) []kv {
	var out []kv
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, kv{k, m[k]})
	}
	return out
}

func newActivityView(a *pipeline.ActivityCounts) *activityView {
	f := newFunnel(
		step{Key: "activities/read", Label: "read", N: a.Read, Note: "rows in the activity inputs"},
		[]branch{
			{key: "activities/rejected", label: "rejected", n: a.Rejected, by: a.RejectedBy, rejects: true},
			{key: "activities/repeated", label: "repeated in run", n: a.Repeated, note: "the same marketoGUID again in this run"},
			{key: "activities/already_loaded", label: "already loaded", n: a.AlreadyLoaded, note: "loaded by an earlier run: a no-op"},
		},
		step{Key: "activities/loaded", Label: "loaded", N: a.Loaded, Note: "new activities, each in one bucket"},
		[]branch{
			{key: "activities/matched", label: "matched", n: a.Matched},
			{key: "activities/person_inactive", label: "person inactive", n: a.PersonInactive},
			{key: "activities/person_unknown", label: "person unknown", n: a.PersonUnknown},
			{key: "activities/ambiguous_email", label: "ambiguous email", n: a.AmbiguousEmail, note: "no leadId, and the email belongs to several people"},
		},
	)
	f.OK = a.Balanced()
	f.Balance = fmt.Sprintf("read %s = rejected %s + repeated %s + already loaded %s + loaded %s",
		num(a.Read), num(a.Rejected), num(a.Repeated), num(a.AlreadyLoaded), num(a.Loaded))
	return &activityView{
		Loaded:   a.Loaded,
		Funnel:   f,
		Category: sortedKV(a.ByCategory),
		Kinds:    sortedKV(a.BySalesKind),
		Outputs: []kv{
			{"sales activity log rows", a.SalesLog},
			{"Salesforce tasks", a.Tasks},
			{"tasks skipped: no contact or lead id", a.TasksNoSalesforceID},
			{"people without a contact or lead id", a.PeopleNoSalesforceID},
			{"unsubscribe violations", a.UnsubscribeViolations},
			{"sent to unsubscribed, timing unknown", a.UnsubscribeUnknown},
			{"deactivated: merged", a.Merged},
			{"deactivated: deleted in Marketo", a.Deleted},
			{"lifecycle events not applied", a.LifecycleNotApplied},
			{"activity types without a name", a.UnknownTypes},
			{"people in the activity summary", a.SummaryPeople},
		},
	}
}

// inputRow is one input file.
type inputRow struct {
	Kind string
	pipeline.Input
}

func inputRows(r *pipeline.Report) []inputRow {
	var out []inputRow
	for _, in := range r.Inputs {
		out = append(out, inputRow{"people", in})
	}
	if r.Activities != nil {
		for _, in := range r.Activities.Inputs {
			out = append(out, inputRow{"activities", in})
		}
	}
	return out
}

// timingRow is one stage timing with its bar, scaled to the slowest stage.
type timingRow struct {
	pipeline.StageTiming
	Pct float64
}

func timingRows(stages []pipeline.StageTiming) []timingRow {
	var slowest float64
	for _, s := range stages {
		slowest = max(slowest, s.Seconds)
	}
	out := make([]timingRow, len(stages))
	for i, s := range stages {
		out[i] = timingRow{StageTiming: s}
		if slowest > 0 {
			out[i].Pct = 100 * s.Seconds / slowest
		}
	}
	return out
}

// num writes n with thousands separators.
func num(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}
