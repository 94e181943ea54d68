package marketo

import (
	"fmt"
	"io"
	"math"
	"time"
)

// Default sizes of one exported record, used by Forecast when the ledger
// has no measured exports yet. They are the CSV bytes per record of the
// Bulk Extract files actsync asks for, measured on realistic samples:
// leads ≈ 228 B (fixtures/people/day1/2026-11-01-leads.csv, the 18 fields
// of LeadFields plus createdAt and a score: 6,835 B of rows / 30 rows),
// activities ≈ 267–278 B (fixtures/activities/2026-11-02 Bulk Activity CSV:
// 8,547 B / 32 rows; Adobe's bulk_activity_export_example.csv: 1,112 B / 4
// rows). Real attributes vary (a form fill with many fields is larger): the
// forecast says which figure it used, and measured figures replace these as
// soon as exports have landed.
const (
	DefaultLeadBytes     = 230
	DefaultActivityBytes = 280
	// DefaultQuotaBytes is Marketo's default daily export allocation.
	DefaultQuotaBytes = 500 << 20
)

// Estimate is the volume a forecast assumes for one kind.
type Estimate struct {
	Kind           string
	Records        float64 // records in the whole range
	BytesPerRecord float64
	Source         string // where the figures come from, for the printout
}

// WindowForecast is one export of a forecast.
type WindowForecast struct {
	Kind       string
	Start, End time.Time
	Bytes      float64
	Day        int // 1-based quota day it is exported on
}

// Forecast is the result of PlanRange.
type Forecast struct {
	Windows    []WindowForecast
	TotalBytes float64
	Days       int
	QuotaBytes int64
	Estimates  []Estimate
}

// MeasuredEstimate derives an estimate for kind over days days from the
// exports the ledger in dir has seen, handed on or not (records per day of
// window, bytes per record); ok is false when there are none.
func MeasuredEstimate(dir, kind string, days float64) (Estimate, bool) {
	l, err := readLedger(dir)
	if err != nil {
		return Estimate{}, false
	}
	m := l.Measured[kind]
	recs, bytes, span := m.Records, m.Bytes, time.Duration(m.Seconds)*time.Second
	for _, j := range l.Jobs {
		if j.Kind == kind && j.Records > 0 && j.Bytes > 0 {
			recs += j.Records
			bytes += j.Bytes
			span += j.End.Sub(j.Start)
		}
	}
	if recs == 0 || span <= 0 {
		return Estimate{}, false
	}
	perDay := float64(recs) / span.Hours() * 24
	return Estimate{Kind: kind, Records: perDay * days, BytesPerRecord: float64(bytes) / float64(recs),
		Source: fmt.Sprintf("measured on %d landed %s records in %s", recs, kind, dir)}, true
}

// PlanRange forecasts the exports of [since, until) for each estimate's
// kind: the same windows Land would create, each given the range's records
// pro rata of its length, packed in order into days of quotaBytes (an
// export is never split; one larger than a day's quota gets a day of its
// own, and Marketo lets the job that crosses the quota finish).
func PlanRange(since, until time.Time, quotaBytes int64, ests []Estimate) Forecast {
	f := Forecast{QuotaBytes: quotaBytes, Estimates: ests}
	total := until.Sub(since)
	for _, e := range ests {
		for at := since; at.Before(until); at = minTime(at.Add(MaxWindow), until) {
			end := minTime(at.Add(MaxWindow), until)
			b := e.Records * e.BytesPerRecord * float64(end.Sub(at)) / float64(total)
			f.Windows = append(f.Windows, WindowForecast{Kind: e.Kind, Start: at, End: end, Bytes: b})
			f.TotalBytes += b
		}
	}
	day, used := 1, 0.0
	for i := range f.Windows {
		w := &f.Windows[i]
		if used > 0 && used+w.Bytes > float64(quotaBytes) {
			day, used = day+1, 0
		}
		w.Day = day
		used += w.Bytes
	}
	if len(f.Windows) > 0 {
		f.Days = day
	}
	return f
}

// Print writes the forecast for a person: the assumptions, one line per
// export, and the number of quota days.
func (f Forecast) Print(w io.Writer) {
	for _, e := range f.Estimates {
		fmt.Fprintf(w, "%-10s %12.0f records × %.0f B/record (%s)\n", e.Kind, e.Records, e.BytesPerRecord, e.Source)
	}
	fmt.Fprintf(w, "\n%-10s  %-20s  %-20s  %10s  %s\n", "export", "from", "to", "est. MB", "quota day")
	for _, x := range f.Windows {
		fmt.Fprintf(w, "%-10s  %-20s  %-20s  %10.1f  %d\n", x.Kind, x.Start.Format(time.RFC3339), x.End.Format(time.RFC3339), x.Bytes/(1<<20), x.Day)
	}
	fmt.Fprintf(w, "\n%d exports, about %.1f MB: %d day(s) under a daily quota of %d MB (resets at midnight US Central)\n",
		len(f.Windows), f.TotalBytes/(1<<20), f.Days, int64(math.Round(float64(f.QuotaBytes)/(1<<20))))
}
