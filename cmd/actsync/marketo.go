package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"time"

	"github.com/actsync/actsync/pipeline"
	"github.com/actsync/actsync/source/marketo"
	"github.com/actsync/actsync/sync"
)

// marketoSource is the --people / --activities value that means "extract
// from the Marketo Bulk API" instead of a path.
const marketoSource = "marketo:"

// marketoFlags are the flags of a command that can extract from Marketo.
type marketoFlags struct {
	since, until   string
	plan           bool
	quotaMB        float64
	expectLeads    int64
	expectActs     int64
	people, acts   bool
	progress       io.Writer // a terminal, or nil
	sinceT, untilT time.Time
}

// addMarketoFlags registers the Marketo flags on fs.
func addMarketoFlags(fs *flag.FlagSet) *marketoFlags {
	m := &marketoFlags{}
	fs.StringVar(&m.since, "since", "", "with marketo: start `TIME` of the range, RFC 3339 or YYYY-MM-DD (UTC); default: where the last Marketo range ended (required the first time)")
	fs.StringVar(&m.until, "until", "", "with marketo: end `TIME` of the range (default: now)")
	fs.BoolVar(&m.plan, "plan", false, "with marketo: print how many days the range takes under the daily export quota, and do nothing else (no network)")
	fs.Float64Var(&m.quotaMB, "quota-mb", marketo.DefaultQuotaBytes>>20, "with --plan: the subscription's daily export quota in `MB`")
	fs.Int64Var(&m.expectLeads, "expect-leads", 0, "with --plan: people updated in the range, `N` (default: measured on earlier exports)")
	fs.Int64Var(&m.expectActs, "expect-activities", 0, "with --plan: activities in the range, `N` (default: measured on earlier exports)")
	return m
}

// take removes marketo: from paths and reports whether it was there.
func takeMarketo(paths *[]string) bool {
	n := len(*paths)
	*paths = slices.DeleteFunc(*paths, func(p string) bool { return p == marketoSource })
	return len(*paths) != n
}

// used reports whether the command asked for Marketo, after taking
// marketo: out of the path lists; it checks the range flags.
func (m *marketoFlags) used(people, acts *[]string) (bool, error) {
	m.people, m.acts = takeMarketo(people), takeMarketo(acts)
	if !m.people && !m.acts {
		if m.since != "" || m.until != "" || m.plan {
			return false, errors.New("--since, --until and --plan need --people marketo: or --activities marketo:")
		}
		return false, nil
	}
	for _, f := range []struct {
		name, val string
		t         *time.Time
	}{{"--since", m.since, &m.sinceT}, {"--until", m.until, &m.untilT}} {
		if f.val == "" {
			continue
		}
		t, ok := pipeline.ParseTimestamp(f.val)
		if !ok {
			return false, fmt.Errorf("%s %q is not a time (RFC 3339, e.g. 2026-01-31T00:00:00Z, or a date)", f.name, f.val)
		}
		*f.t = t
	}
	if !m.sinceT.IsZero() && !m.untilT.IsZero() && !m.sinceT.Before(m.untilT) {
		return false, errors.New("--since must be before --until")
	}
	return true, nil
}

// land lands the exports into dir and returns them. A quota stop is a
// *marketo.QuotaError; the caller decides what it means.
func (m *marketoFlags) land(ctx context.Context, dir, typesFile string, log io.Writer) (*marketo.Landed, error) {
	return sync.Land(ctx, dir, typesFile, m.config(), log, m.progress)
}

// config is the range the flags ask for.
func (m *marketoFlags) config() sync.Marketo {
	return sync.Marketo{People: m.people, Activities: m.acts, Since: m.sinceT, Until: m.untilT}
}

// printPlan prints the forecast of the range for the kinds asked.
func (m *marketoFlags) printPlan(ctx context.Context, dir string, stdout io.Writer) error {
	until := m.untilT
	if until.IsZero() {
		until = marketo.ClockFrom(ctx).Now().UTC().Truncate(time.Second)
	}
	since := m.sinceT
	if since.IsZero() {
		return errors.New("--plan needs --since: the start of the range to forecast")
	}
	days := until.Sub(since).Hours() / 24
	var ests []marketo.Estimate
	for _, k := range []struct {
		on     bool
		kind   string
		n      int64
		bytes  float64
		flag   string
		source string
	}{
		{m.people, marketo.KindLeads, m.expectLeads, marketo.DefaultLeadBytes, "--expect-leads", "default size, see README"},
		{m.acts, marketo.KindActivities, m.expectActs, marketo.DefaultActivityBytes, "--expect-activities", "default size, see README"},
	} {
		if !k.on {
			continue
		}
		measured, ok := marketo.MeasuredEstimate(dir, k.kind, days)
		switch {
		case k.n > 0 && ok:
			ests = append(ests, marketo.Estimate{Kind: k.kind, Records: float64(k.n), BytesPerRecord: measured.BytesPerRecord, Source: k.flag + "; size " + measured.Source})
		case k.n > 0:
			ests = append(ests, marketo.Estimate{Kind: k.kind, Records: float64(k.n), BytesPerRecord: k.bytes, Source: k.flag + "; " + k.source})
		case ok:
			ests = append(ests, measured)
		default:
			return fmt.Errorf("--plan: no %s exports measured in %s yet: give %s N, the number of records in the range", k.kind, dir, k.flag)
		}
	}
	if m.quotaMB <= 0 {
		return errors.New("--quota-mb must be positive")
	}
	marketo.PlanRange(since, until, int64(m.quotaMB*(1<<20)), ests).Print(stdout)
	return nil
}

// isResumable reports whether err is a stop the same command resumes (the
// daily export quota): exit status 3.
func isResumable(err error) bool {
	var qe *marketo.QuotaError
	return errors.As(err, &qe)
}

// check validates the Marketo flags of `actsync run` and takes marketo:
// out of cfg's paths: cfg.Marketo says what the run lands.
func (m *marketoFlags) check(cfg *sync.Config) error {
	if _, err := m.used(&cfg.People, &cfg.Activities); err != nil {
		return err
	}
	if m.people && cfg.Full {
		return errors.New("--full cannot be used with --people marketo:: an export of people updated in a range is not a complete export")
	}
	if m.people || m.acts {
		mk := m.config()
		cfg.Marketo = &mk
	}
	return nil
}

// commitExtract records that extract handed the landed files on: they stay
// in the directory, the next extract starts at the range's end.
func commitExtract(l *marketo.Landed) error { return marketo.Commit(l, false) }

// discardMarketoLanded removes Marketo files landed in the state but not
// yet loaded (a run stopped by the quota leaves them): erase promises that
// no file in the state keeps an erased person.
func discardMarketoLanded(state string) error {
	_, err := marketo.DiscardLanded(filepath.Join(state, sync.MarketoLandingDir))
	return err
}

// reportMarketoPending tells log, in one line, about Marketo exports of the
// state not loaded yet (status calls it).
func reportMarketoPending(state string, log io.Writer) {
	if line := marketo.Pending(filepath.Join(state, sync.MarketoLandingDir)); line != "" {
		fmt.Fprintf(log, "actsync: %s\n", line)
	}
}
