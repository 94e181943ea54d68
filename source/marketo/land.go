package marketo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // the quota resets at midnight America/Chicago wherever actsync runs
)

// Limits of the Bulk Extract API (Adobe's bulk-extract.md).
const (
	// MaxWindow is the longest createdAt/updatedAt range of one export.
	MaxWindow = 31 * 24 * time.Hour
	// MaxQueued is the number of jobs queued or processing at once
	// (Marketo runs at most 2 of them); the queue is shared with every
	// other integration of the subscription.
	MaxQueued = 10
	// PollInterval is the wait between two status polls of a job.
	PollInterval = time.Minute
	// Retention is how long Marketo keeps a finished export's file.
	Retention = 7 * 24 * time.Hour
)

// LeadFields are the fields a leads export asks for: the 13 synced fields
// (DESIGN R3), both owner ids (R2), sfdcType, unsubscribed and updatedAt,
// under their REST names, which extract's header matching reads.
var LeadFields = []string{
	"id", "firstName", "lastName", "email", "phone", "company", "title", "leadSource",
	"sfdcLeadId", "sfdcContactId", "sfdcAccountId", "sfdcOpptyId", "linkedInProfileURL",
	"sfdcLeadOwnerId", "sfdcContactOwnerId", "sfdcType", "unsubscribed", "updatedAt",
}

// Request is what to land.
type Request struct {
	Dir        string // landing directory (created); holds the ledger
	People     bool
	Activities bool
	// ActivityTypeIDs filters the activities export; empty means all types.
	ActivityTypeIDs []int32
	// Since is the start of the range; zero means the ledger's Done mark of
	// each kind (an error on a first run). Until zero means now.
	Since, Until time.Time
	// Log receives one line per notable event (a filter fallback, a quota
	// stop, a re-created export); never personal data or secrets.
	Log io.Writer
	// Progress, when not nil (a terminal), gets a status line ending in
	// '\r' after every pass of the job loop.
	Progress io.Writer
}

// Landed is what Land put in place: ordinary export files, ready for
// extract.Discover, in the order they must be read (people oldest window
// first, so a later row of a person is the newer one).
type Landed struct {
	Dir        string
	People     []string
	Activities []string // Bulk Activity Extract CSVs, deleted leads last
	Until      time.Time
	Exports    int // exports used (created now or earlier and reused)
	Reused     int // of which landed by an earlier call
	jobs       []*Job
	kinds      []string
}

// QuotaError is Land stopping because Marketo's daily export quota is spent
// (1029). The ledger keeps every export: the same command resumes after
// ResetAt, reusing what has landed.
type QuotaError struct {
	Landed, Total int
	ResetAt       time.Time
}

func (e *QuotaError) Error() string {
	return fmt.Sprintf("marketo: daily export quota spent (1029) with %d of %d exports landed; run the same command after %s (midnight US Central) to resume",
		e.Landed, e.Total, e.ResetAt.UTC().Format(time.RFC3339))
}

// QuotaReset is the next midnight in America/Chicago after t.
func QuotaReset(t time.Time) time.Time {
	loc, err := time.LoadLocation("America/Chicago")
	if err != nil {
		loc = time.FixedZone("CST", -6*3600)
	}
	c := t.In(loc)
	return time.Date(c.Year(), c.Month(), c.Day()+1, 0, 0, 0, 0, loc)
}

// lander is one Land call.
type lander struct {
	c      *Client
	req    Request
	ledger *Ledger
	clock  Clock
	log    io.Writer
	// recreated counts exports re-created in this call after their file
	// went missing or failed verification: once each, then an error.
	recreated map[*Job]int
	// fields are the LeadFields the subscription has (describe.json).
	fields []string
}

// Land lands the requested exports into req.Dir as ordinary files: it
// plans windows of at most MaxWindow from the range, reuses the ledger's
// exports for the same windows, creates and enqueues the rest (at most
// MaxQueued at once), polls them every PollInterval, downloads each file
// (resuming with Range), verifies its sha256 and record count, and moves
// it into place. Deleted leads are paged from the REST API into a Delete
// Lead (37) activity file. On quota it lets queued exports finish, lands
// them, and returns a *QuotaError.
func Land(ctx context.Context, c *Client, req Request) (*Landed, error) {
	if err := os.MkdirAll(filepath.Join(req.Dir, partialDir), 0o700); err != nil {
		return nil, err
	}
	lock, err := lockDir(req.Dir)
	if err != nil {
		return nil, err
	}
	defer lock.Close()
	ledger, err := readLedger(req.Dir)
	if err != nil {
		return nil, err
	}
	l := &lander{c: c, req: req, ledger: ledger, clock: c.clock, log: req.Log, recreated: map[*Job]int{}}
	if l.log == nil {
		l.log = io.Discard
	}
	return l.land(ctx)
}

func (l *lander) logf(format string, args ...any) {
	fmt.Fprintf(l.log, "actsync: marketo: "+format+"\n", args...)
}

// since is where kind's range starts.
func (l *lander) since(kind string) (time.Time, error) {
	if !l.req.Since.IsZero() {
		return l.req.Since.UTC().Truncate(time.Second), nil
	}
	if t, ok := l.ledger.Done[kind]; ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("marketo: no earlier %s range in %s: give --since for the first extract", kind, l.req.Dir)
}

func (l *lander) land(ctx context.Context) (*Landed, error) {
	until := l.req.Until
	if until.IsZero() {
		until = l.clock.Now()
	}
	until = until.UTC().Truncate(time.Second)
	out := &Landed{Dir: l.req.Dir, Until: until}
	var kinds []string
	if l.req.People {
		kinds = append(kinds, KindLeads)
	}
	if l.req.Activities {
		kinds = append(kinds, KindActivities)
	}
	if l.req.People {
		if err := l.describe(ctx); err != nil {
			return nil, err
		}
	}
	var jobs []*Job
	for _, kind := range kinds {
		since, err := l.since(kind)
		if err != nil {
			return nil, err
		}
		if !since.Before(until) {
			return nil, fmt.Errorf("marketo: the %s range starts at %s, not before its end %s", kind, since.Format(time.RFC3339), until.Format(time.RFC3339))
		}
		jobs = append(jobs, l.plan(kind, since, until)...)
	}
	if err := l.ledger.save(l.req.Dir); err != nil {
		return nil, err
	}
	for _, j := range jobs {
		if j.Status == statusLanded {
			out.Reused++
		}
	}
	if err := l.loop(ctx, jobs); err != nil {
		return nil, err
	}
	var deleted string
	if len(kinds) > 0 {
		since, err := l.since(kindDeleted)
		if err != nil {
			since, _ = l.since(kinds[0])
		}
		if deleted, err = l.deletedLeads(ctx, since, until); err != nil {
			return nil, err
		}
	}
	for _, j := range jobs {
		if j.Records == 0 {
			continue // an empty window: nothing to read (its file may have no header)
		}
		p := filepath.Join(l.req.Dir, j.File)
		if j.Kind == KindLeads {
			out.People = append(out.People, p)
		} else {
			out.Activities = append(out.Activities, p)
		}
	}
	if deleted != "" {
		out.Activities = append(out.Activities, filepath.Join(l.req.Dir, deleted))
	}
	out.Exports, out.jobs, out.kinds = len(jobs), jobs, append(kinds, kindDeleted)
	return out, nil
}

// describe keeps the LeadFields the subscription has (GET
// /rest/v1/leads/describe.json): asking a leads export for a field the
// instance lacks (sfdcContactOwnerId without a Salesforce sync, a LinkedIn
// field never created) fails the export, while a missing field simply has
// no value. The fields left out are logged; id and updatedAt are required.
func (l *lander) describe(ctx context.Context) error {
	var env envelope
	if err := l.c.call(ctx, "describe leads", http.MethodGet, "/rest/v1/leads/describe.json", nil, nil, &env); err != nil {
		return err
	}
	var res []struct {
		Rest struct {
			Name string `json:"name"`
		} `json:"rest"`
	}
	if err := json.Unmarshal(env.Result, &res); err != nil {
		return &APIError{Op: "describe leads", Code: "bad response", Message: err.Error()}
	}
	have := map[string]bool{}
	for _, f := range res {
		have[strings.ToLower(f.Rest.Name)] = true
	}
	l.fields = nil
	var missing []string
	for _, f := range LeadFields {
		if have[strings.ToLower(f)] {
			l.fields = append(l.fields, f)
		} else {
			missing = append(missing, f)
		}
	}
	if !have["id"] || !have["updatedat"] {
		return fmt.Errorf("marketo: describe leads: the subscription has no id or updatedAt field; cannot export people")
	}
	if len(missing) > 0 {
		l.logf("the subscription has no lead field %s: exporting without it (those values stay empty)", strings.Join(missing, ", "))
	}
	return nil
}

// spec is the request body of kind's export without its date filter; its
// hash is Job.Spec.
func (l *lander) spec(kind, filter string) (map[string]any, string) {
	body := map[string]any{"format": "CSV"}
	if kind == KindLeads {
		body["fields"] = l.fields
	} else if len(l.req.ActivityTypeIDs) > 0 {
		ids := slices.Clone(l.req.ActivityTypeIDs)
		slices.Sort(ids)
		body["filter"] = map[string]any{"activityTypeIds": ids}
	}
	data, _ := json.Marshal(map[string]any{"kind": kind, "filter": filter, "body": body})
	sum := sha256.Sum256(data)
	return body, hex.EncodeToString(sum[:8])
}

func (l *lander) filter(kind string) string {
	if kind == KindLeads && l.ledger.LeadsFilter != "createdAt" {
		return "updatedAt"
	}
	return "createdAt"
}

// plan covers [since, until) with windows of at most MaxWindow, reusing the
// ledger's jobs of the same request that start where the cover has reached
// and end within the range (so the last, shorter window of an earlier run
// is reused and the cover goes on from its end).
func (l *lander) plan(kind string, since, until time.Time) []*Job {
	filter := l.filter(kind)
	_, spec := l.spec(kind, filter)
	var out []*Job
	for at := since; at.Before(until); {
		var j *Job
		for _, old := range l.ledger.Jobs {
			if old.Kind == kind && old.Spec == spec && old.Start.Equal(at) && !old.End.After(until) && (j == nil || old.End.After(j.End)) {
				j = old
			}
		}
		if j == nil {
			j = &Job{Kind: kind, Filter: filter, Start: at, End: minTime(at.Add(MaxWindow), until), Spec: spec, Status: statusPending}
			l.ledger.Jobs = append(l.ledger.Jobs, j)
		}
		out = append(out, j)
		at = j.End
	}
	return out
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// Commit records that l's range has been handed on (loaded by run, or
// written by extract): the next Land starts each kind at l.Until, and the
// ledger forgets the jobs of the range. With removeFiles the landed files
// are deleted too (run: they are in the state now); extract keeps them.
func Commit(l *Landed, removeFiles bool) error {
	lock, err := lockDir(l.Dir)
	if err != nil {
		return err
	}
	defer lock.Close()
	ledger, err := readLedger(l.Dir)
	if err != nil {
		return err
	}
	for _, k := range l.kinds {
		ledger.Done[k] = l.Until
	}
	for _, j := range l.jobs {
		m := ledger.Measured[j.Kind]
		m.Records += j.Records
		m.Bytes += j.Bytes
		m.Seconds += int64(j.End.Sub(j.Start).Seconds())
		ledger.Measured[j.Kind] = m
	}
	ledger.Jobs = slices.DeleteFunc(ledger.Jobs, func(j *Job) bool {
		return slices.ContainsFunc(l.jobs, func(d *Job) bool {
			return d.Kind == j.Kind && d.Spec == j.Spec && d.Start.Equal(j.Start) && d.End.Equal(j.End)
		})
	})
	if err := ledger.save(l.Dir); err != nil {
		return err
	}
	if removeFiles {
		for _, p := range append(slices.Clone(l.People), l.Activities...) {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}
