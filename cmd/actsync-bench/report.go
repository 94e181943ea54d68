package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// runReport is the part of actsync's run report (`actsync run --json`) that
// the bench reads. It is declared here, not imported, so that the bench
// only depends on the report's JSON.
type runReport struct {
	Rows struct {
		Read       int64 `json:"read"`
		Synced     int64 `json:"synced"`
		Excluded   int64 `json:"excluded"`
		Rejected   int64 `json:"rejected"`
		Superseded int64 `json:"superseded"`
	} `json:"rows"`
	Active int64 `json:"people_active"`
	Stages []struct {
		Stage   string  `json:"stage"`
		Seconds float64 `json:"seconds"`
	} `json:"stages"`
}

// sideRuns collects the timed runs of one side.
type sideRuns struct {
	runs    []measurement
	reports []*runReport
}

func (s *sideRuns) add(m measurement, rep *runReport) {
	m.Stdout = nil
	s.runs = append(s.runs, m)
	if rep != nil {
		s.reports = append(s.reports, rep)
	}
}

// side is the summary of one side's runs.
type side struct {
	Name          string    `json:"name"`
	Seconds       []float64 `json:"seconds"` // every timed run, in order
	MedianSeconds float64   `json:"median_seconds"`
	PeoplePerSec  float64   `json:"people_per_second"` // input rows / median seconds
	PeakRSSMiB    float64   `json:"peak_rss_mib"`      // the largest of the runs
}

func (s *sideRuns) summary(name string, rows int64) side {
	out := side{Name: name}
	var peak int64
	for _, m := range s.runs {
		out.Seconds = append(out.Seconds, m.Seconds)
		peak = max(peak, m.MaxRSSKiB)
	}
	out.MedianSeconds = median(out.Seconds)
	if out.MedianSeconds > 0 {
		out.PeoplePerSec = float64(rows) / out.MedianSeconds
	}
	out.PeakRSSMiB = mib(peak)
	return out
}

// stageTime is the median time of one stage of actsync's run reports.
type stageTime struct {
	Stage         string  `json:"stage"`
	MedianSeconds float64 `json:"median_seconds"`
}

// stageMedians returns, per stage name in the order the reports list them,
// the median of its seconds over the reports that have it.
func (s *sideRuns) stageMedians() []stageTime {
	var order []string
	secs := map[string][]float64{}
	for _, rep := range s.reports {
		for _, st := range rep.Stages {
			if _, ok := secs[st.Stage]; !ok {
				order = append(order, st.Stage)
			}
			secs[st.Stage] = append(secs[st.Stage], st.Seconds)
		}
	}
	out := make([]stageTime, 0, len(order))
	for _, name := range order {
		out = append(out, stageTime{Stage: name, MedianSeconds: median(secs[name])})
	}
	return out
}

// median returns the median of xs (the mean of the middle two for an even
// count), or 0 for none. It does not modify xs.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func mib(kib int64) float64 { return float64(kib) / 1024 }

// result is a whole bench run, printed as a table or as JSON.
type result struct {
	People     int          `json:"people"`
	Seed       int64        `json:"seed"`
	Rounds     int          `json:"rounds"`
	CPUs       int          `json:"cpus"`
	Input      string       `json:"input"`
	InputBytes int64        `json:"input_bytes"`
	InputRows  int64        `json:"input_rows"`
	Reused     bool         `json:"input_reused"`
	Agreement  *agreement   `json:"agreement"`
	Sides      []side       `json:"sides"`
	Ratio      float64      `json:"ratio"` // actsync median / baseline median
	Stages     []stageTime  `json:"actsync_stages"`
	Delta      *deltaResult `json:"delta,omitempty"`
}

// deltaResult is actsync on the Day 1 delta against an initial state.
type deltaResult struct {
	File string `json:"file"`
	Rows int64  `json:"rows"`
	side
	OfInitial float64     `json:"of_initial"` // delta median / initial median
	Stages    []stageTime `json:"stages"`
}

func (r *result) agreed() bool { return r.Agreement.Agree }

func (r *result) print(w io.Writer) {
	fmt.Fprintf(w, "actsync-bench: initial sync of %d people (%s, %.1f MiB, seed %d), %d rounds alternating, %d CPUs, DuckDB default threads\n",
		r.InputRows, r.Input, float64(r.InputBytes)/(1<<20), r.Seed, r.Rounds, r.CPUs)
	r.Agreement.print(w)
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "side          \tmedian s\tpeople/s\tpeak RSS MiB\truns s\t\n")
	rows := r.Sides
	if r.Delta != nil {
		rows = append(slices.Clone(rows), r.Delta.side)
	}
	for _, s := range rows {
		fmt.Fprintf(tw, "%-14s\t%.3f\t%s\t%.1f\t%s\t\n", s.Name, s.MedianSeconds, thousands(s.PeoplePerSec), s.PeakRSSMiB, seconds(s.Seconds))
	}
	tw.Flush()
	fmt.Fprintf(w, "\nratio actsync/duckdb-sql (median wall): %.2f\n", r.Ratio)
	if r.Delta != nil {
		fmt.Fprintf(w, "delta: %d rows (%s) in %.3f s = %.1f%% of the initial sync\n",
			r.Delta.Rows, r.Delta.File, r.Delta.MedianSeconds, 100*r.Delta.OfInitial)
	}
	printStages(w, "actsync stages, initial sync (median s; load/* are parts of load)", r.Stages, r.Delta)
}

func printStages(w io.Writer, title string, initial []stageTime, delta *deltaResult) {
	fmt.Fprintf(w, "\n%s:\n", title)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	deltaSecs := map[string]float64{}
	if delta != nil {
		fmt.Fprintf(tw, "  stage\tinitial\tdelta\n")
		for _, st := range delta.Stages {
			deltaSecs[st.Stage] = st.MedianSeconds
		}
	}
	inInitial := map[string]bool{}
	for _, st := range initial {
		inInitial[st.Stage] = true
		fmt.Fprintf(tw, "  %s\t%8.3f", st.Stage, st.MedianSeconds)
		if delta != nil {
			if secs, ok := deltaSecs[st.Stage]; ok {
				fmt.Fprintf(tw, "\t%8.3f", secs)
			} else {
				fmt.Fprintf(tw, "\t%8s", "-")
			}
		}
		fmt.Fprintln(tw)
	}
	// Steps only a delta run takes (sql/dedupe/duplicate_emails_delta.sql).
	if delta != nil {
		for _, st := range delta.Stages {
			if !inInitial[st.Stage] {
				fmt.Fprintf(tw, "  %s\t%8s\t%8.3f\n", st.Stage, "-", st.MedianSeconds)
			}
		}
	}
	tw.Flush()
}

// thousands formats x rounded to an integer with comma separators.
func thousands(x float64) string {
	s := fmt.Sprintf("%.0f", x)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func seconds(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.2f", x)
	}
	return strings.Join(parts, " ")
}
