package runpage

import (
	"strconv"

	"github.com/actsync/actsync/pipeline"
)

// metric is one trend chart: a count of each run. Adding a chart is adding
// a line to metrics.
type metric struct {
	name  string
	value func(*pipeline.Report) float64
	// seconds formats the value as a duration instead of a count.
	seconds bool
	// activities charts are shown only when a charted run read activities.
	activities bool
}

var metrics = []metric{
	{name: "people active after the run", value: func(r *pipeline.Report) float64 { return float64(r.Active) }},
	{name: "synced", value: func(r *pipeline.Report) float64 { return float64(r.Rows.Synced) }},
	{name: "inserted", value: func(r *pipeline.Report) float64 { return float64(r.Changes.Insert) }},
	{name: "updated", value: func(r *pipeline.Report) float64 { return float64(r.Changes.Update) }},
	{name: "deactivated", value: func(r *pipeline.Report) float64 { return float64(r.Changes.Deactivate) }},
	{name: "rejected rows", value: func(r *pipeline.Report) float64 { return float64(r.Rows.Rejected) }},
	{name: "excluded rows", value: func(r *pipeline.Report) float64 { return float64(r.Rows.Excluded) }},
	{name: "duplicate email groups", value: func(r *pipeline.Report) float64 { return float64(r.DupGroups) }},
	{name: "activities loaded", activities: true, value: func(r *pipeline.Report) float64 {
		if r.Activities == nil {
			return 0
		}
		return float64(r.Activities.Loaded)
	}},
	{name: "duration", seconds: true, value: func(r *pipeline.Report) float64 { return r.FinishedAt.Sub(r.StartedAt).Seconds() }},
}

// Chart geometry, in SVG user units (pixels at 100%).
const (
	chartW    = 220
	chartH    = 44 // plot height; the baseline sits below it
	maxSlot   = 22 // widest slot per run, so that a short history is not one fat bar
	barFill   = 0.72
	minBarPix = 1.5 // a nonzero value stays visible next to a large maximum
)

// chart is one small bar chart of a metric over the charted runs.
type chart struct {
	Name   string
	Latest string // the page's run
	Max    string
	Bars   []bar
	W, H   int
	BaseY  int
}

// bar is one run's bar; coordinates are preformatted for the SVG.
type bar struct {
	X, Y, W, H string
	Title      string
	Current    bool
}

// trendCharts draws each metric over runs (oldest first, the page's run
// last).
func trendCharts(runs []*pipeline.Report, current int64) []chart {
	hasActivities := false
	for _, r := range runs {
		hasActivities = hasActivities || r.Activities != nil
	}
	slot := min(float64(chartW)/float64(max(len(runs), 1)), maxSlot)
	var charts []chart
	for _, m := range metrics {
		if m.activities && !hasActivities {
			continue
		}
		format := func(v float64) string { return num(int64(v)) }
		if m.seconds {
			format = func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) + " s" }
		}
		var top float64
		for _, r := range runs {
			top = max(top, m.value(r))
		}
		c := chart{Name: m.name, Max: format(top), W: chartW, H: chartH + 2, BaseY: chartH + 1}
		for i, r := range runs {
			v := m.value(r)
			h := 0.0
			if top > 0 && v > 0 {
				h = max(chartH*v/top, minBarPix)
			}
			c.Bars = append(c.Bars, bar{
				X:       px(float64(i)*slot + slot*(1-barFill)/2),
				Y:       px(chartH - h),
				W:       px(slot * barFill),
				H:       px(h),
				Title:   "run " + strconv.FormatInt(r.RunID, 10) + ", " + r.StartedAt.UTC().Format("2006-01-02") + ": " + format(v),
				Current: r.RunID == current,
			})
			if r.RunID == current {
				c.Latest = format(v)
			}
		}
		charts = append(charts, c)
	}
	return charts
}

func px(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
