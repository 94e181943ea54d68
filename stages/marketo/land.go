package marketo

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // the quota resets at midnight America/Chicago wherever actsync runs

	"github.com/actsync/actsync/internal/atomicfile"
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

// loop drives jobs to landed: one pass handles each job once, then it
// sleeps PollInterval on the clock while any export is in Marketo's hands.
func (l *lander) loop(ctx context.Context, jobs []*Job) (err error) {
	defer func() {
		// Whatever stops the loop, the ledger keeps what was learnt.
		if serr := l.ledger.save(l.req.Dir); err == nil {
			err = serr
		}
	}()
	for _, j := range jobs {
		if j.Status == statusLanded {
			if err := l.checkLanded(j); err != nil {
				return err
			}
		}
	}
	quota := false
	for {
		queued := 0
		for _, j := range jobs {
			if j.Status == statusQueued || j.Status == statusProcessing {
				queued++
			}
		}
		waiting := false
		for _, j := range jobs {
			if err := ctx.Err(); err != nil {
				return err
			}
			var err error
			switch j.Status {
			case statusLanded:
				continue
			case statusPending:
				if quota {
					continue
				}
				err = l.create(ctx, j)
			case statusCreated:
				if quota || queued >= MaxQueued {
					waiting = waiting || !quota
					continue
				}
				if err = l.enqueue(ctx, j); err == nil && j.Status == statusQueued {
					queued++
				}
				waiting = true
			case statusQueued, statusProcessing:
				waiting = true
				if l.clock.Now().Sub(j.Polled) < PollInterval {
					continue // polled by an earlier pass or process less than a minute ago
				}
				err = l.poll(ctx, j)
			case statusCompleted:
				err = l.download(ctx, j)
			default:
				return fmt.Errorf("marketo: %s (export %s) has status %q in %s", j.window(), j.ExportID, j.Status, LedgerFile)
			}
			if IsQuota(err) {
				if !quota {
					l.logf("daily export quota spent (1029): letting queued exports finish, then stopping")
				}
				quota = true
				continue
			}
			if err != nil {
				return err
			}
			if err := l.ledger.save(l.req.Dir); err != nil {
				return err
			}
		}
		done, landed, inMarketo := true, 0, false
		for _, j := range jobs {
			switch j.Status {
			case statusLanded:
				landed++
				continue
			case statusQueued, statusProcessing, statusCompleted:
				inMarketo = true
			}
			done = false
		}
		if l.req.Progress != nil {
			fmt.Fprintf(l.req.Progress, "marketo: %d of %d exports landed\033[K\r", landed, len(jobs))
		}
		if done {
			return nil
		}
		if quota && !inMarketo {
			return &QuotaError{Landed: landed, Total: len(jobs), ResetAt: QuotaReset(l.clock.Now())}
		}
		if waiting || inMarketo {
			if err := l.clock.Sleep(ctx, PollInterval); err != nil {
				return err
			}
		}
	}
}

// exportJob is one element of an export's result array.
type exportJob struct {
	ExportID        string `json:"exportId"`
	Status          string `json:"status"`
	NumberOfRecords int64  `json:"numberOfRecords"`
	FileSize        int64  `json:"fileSize"`
	FileChecksum    string `json:"fileChecksum"`
	ErrorMsg        string `json:"errorMsg"`
}

func (l *lander) jobCall(ctx context.Context, op, method, path string, body any) (exportJob, error) {
	var env envelope
	if err := l.c.call(ctx, op, method, path, nil, body, &env); err != nil {
		return exportJob{}, err
	}
	var res []exportJob
	if err := json.Unmarshal(env.Result, &res); err != nil || len(res) == 0 {
		return exportJob{}, &APIError{Op: op, Code: "bad response", Message: "no job in the result"}
	}
	return res[0], nil
}

func (l *lander) create(ctx context.Context, j *Job) error {
	body, _ := l.spec(j.Kind, j.Filter)
	filter := map[string]any{}
	if f, ok := body["filter"].(map[string]any); ok {
		for k, v := range f {
			filter[k] = v
		}
	}
	filter[j.Filter] = map[string]string{"startAt": j.Start.Format(time.RFC3339), "endAt": j.End.Format(time.RFC3339)}
	body["filter"] = filter
	res, err := l.jobCall(ctx, "create "+j.window(), http.MethodPost, "/bulk/v1/"+j.Kind+"/export/create.json", body)
	if isCode(err, codeFilterUnsupported) && j.Kind == KindLeads && j.Filter == "updatedAt" {
		l.logf("this subscription has no updatedAt filter for leads (1035): exporting by createdAt, which misses changes to people created before the range; ask Marketo support to enable it, or backfill --since the subscription's start")
		l.ledger.LeadsFilter = "createdAt"
		for _, o := range l.ledger.Jobs {
			if o.Kind == KindLeads && o.Filter == "updatedAt" && o.Status == statusPending {
				o.Filter = "createdAt"
				_, o.Spec = l.spec(KindLeads, "createdAt")
			}
		}
		return l.create(ctx, j)
	}
	if err != nil {
		return err
	}
	j.ExportID, j.Status, j.Created = res.ExportID, statusCreated, l.clock.Now().UTC()
	return nil
}

func (l *lander) exportPath(j *Job, what string) string {
	return "/bulk/v1/" + j.Kind + "/export/" + url.PathEscape(j.ExportID) + "/" + what
}

func (l *lander) enqueue(ctx context.Context, j *Job) error {
	res, err := l.jobCall(ctx, "enqueue "+j.window(), http.MethodPost, l.exportPath(j, "enqueue.json"), nil)
	switch {
	case isQueueFull(err) && strings.Contains(strings.ToLower(err.Error()), "already queued"):
		j.Status = statusQueued // enqueued by a process that stopped before saving the ledger
		return nil
	case isQueueFull(err):
		return nil // the subscription's queue is full (other integrations too): try next pass
	case err != nil && !IsQuota(err) && l.clock.Now().Sub(j.Created) > Retention:
		l.logf("%s: export %s is older than Marketo keeps exports; creating a new one", j.window(), j.ExportID)
		j.ExportID, j.Status = "", statusPending
		return nil
	case err != nil:
		return err
	}
	j.Status, j.Polled = statusQueued, l.clock.Now().UTC()
	if res.Status != "" {
		j.Status = res.Status
	}
	return nil
}

func (l *lander) poll(ctx context.Context, j *Job) error {
	j.Polled = l.clock.Now().UTC()
	res, err := l.jobCall(ctx, "status of "+j.window(), http.MethodGet, l.exportPath(j, "status.json"), nil)
	if err != nil && !IsQuota(err) && l.clock.Now().Sub(j.Created) > Retention {
		l.logf("%s: export %s is older than Marketo keeps exports; creating a new one", j.window(), j.ExportID)
		j.ExportID, j.Status = "", statusPending
		return nil
	}
	if err != nil {
		return err
	}
	switch res.Status {
	case statusCreated, statusQueued, statusProcessing:
		j.Status = res.Status
	case statusCompleted:
		j.Status, j.Records, j.Bytes, j.Checksum = statusCompleted, res.NumberOfRecords, res.FileSize, res.FileChecksum
	case statusFailed, "Canceled", "Cancelled":
		id := j.ExportID
		j.ExportID, j.Status = "", statusPending // the next run creates it again
		msg := ""
		if res.ErrorMsg != "" {
			msg = ": " + oneLine(res.ErrorMsg)
		}
		return fmt.Errorf("marketo: %s (export %s) ended %s in Marketo%s; nothing was loaded; run again to create it anew", j.window(), id, strings.ToLower(res.Status), msg)
	default:
		return fmt.Errorf("marketo: %s (export %s): unknown status %q", j.window(), j.ExportID, res.Status)
	}
	return nil
}

// landedName is where a job's file lands, relative to the landing
// directory: windows in UTC, so names sort in time order.
func landedName(j *Job) string {
	dir := "people"
	if j.Kind == KindActivities {
		dir = "activities"
	}
	const f = "20060102T150405Z"
	return filepath.Join(dir, fmt.Sprintf("%s-%s-%s-%s.csv", j.Kind, j.Filter, j.Start.Format(f), j.End.Format(f)))
}

// checkLanded makes sure a landed job's file is still there and whole; a
// file removed or changed since is downloaded again (or re-exported).
func (l *lander) checkLanded(j *Job) error {
	sum, n, err := fileSum(filepath.Join(l.req.Dir, j.File))
	if err == nil && n == j.Bytes && sum == j.Checksum {
		return nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	l.logf("%s: landed file %s is missing or changed; fetching it again", j.window(), j.File)
	j.File, j.Status = "", statusCompleted
	if j.ExportID == "" || l.clock.Now().Sub(j.Created) > Retention {
		j.ExportID, j.Status = "", statusPending
	}
	return nil
}

// download fetches a Completed job's file into .partial/<id>.part, resuming
// from its size with a Range request, verifies size, sha256 and record
// count, and renames it into place.
func (l *lander) download(ctx context.Context, j *Job) error {
	part := filepath.Join(l.req.Dir, partialDir, j.ExportID+".part")
	err := l.c.retry(ctx, func() error { return l.fetch(ctx, j, part) })
	if isCode(err, "HTTP 404") {
		os.Remove(part)
		return l.again(j, "its file is gone from Marketo (404; files are kept seven days)", true)
	}
	if err != nil {
		return err
	}
	sum, n, recs, err := scanFile(part)
	if err != nil {
		return err
	}
	var why string
	switch {
	case j.Bytes > 0 && n != j.Bytes:
		why = fmt.Sprintf("%d bytes downloaded, Marketo says %d", n, j.Bytes)
	case j.Checksum != "" && sum != j.Checksum:
		why = "its sha256 differs from Marketo's fileChecksum"
	}
	if why == "" && recs != j.Records {
		why = fmt.Sprintf("it holds %d records, Marketo says %d", recs, j.Records)
	}
	if why != "" {
		os.Remove(part)
		return l.again(j, why, false)
	}
	name := landedName(j)
	if err := os.MkdirAll(filepath.Join(l.req.Dir, filepath.Dir(name)), 0o700); err != nil {
		return err
	}
	if err := os.Rename(part, filepath.Join(l.req.Dir, name)); err != nil {
		return err
	}
	j.File, j.Status, j.Checksum, j.Bytes = name, statusLanded, sum, n
	return nil
}

// again handles a file that could not be landed: the first time in a call
// it is fetched again (gone: a new export is created), the second time it
// is an error. Nothing unverified is ever landed.
func (l *lander) again(j *Job, why string, gone bool) error {
	l.recreated[j]++
	if l.recreated[j] > 1 {
		id := j.ExportID
		if gone {
			j.ExportID, j.Status = "", statusPending
		}
		return fmt.Errorf("marketo: %s (export %s): %s, again after a retry; nothing was loaded", j.window(), id, why)
	}
	if gone {
		l.logf("%s: %s; creating a new export", j.window(), why)
		j.ExportID, j.Status = "", statusPending
	} else {
		l.logf("%s: %s; downloading it again", j.window(), why)
	}
	return nil
}

// fetch appends the rest of the file to part: one HTTP request from the
// part's current size. A cut connection returns a network error (retried,
// resuming); 200 to a Range request restarts the part.
func (l *lander) fetch(ctx context.Context, j *Job, part string) error {
	op := "download " + j.window()
	f, err := os.OpenFile(part, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	have, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	if j.Bytes > 0 && have >= j.Bytes {
		return nil
	}
	token, err := l.c.accessToken(ctx)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.c.cfg.BaseURL+l.exportPath(j, "file.json"), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if have > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", have))
	}
	resp, err := l.c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return transportError(op, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		if err := f.Truncate(0); err != nil {
			return err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
	case http.StatusPartialContent:
	case http.StatusRequestedRangeNotSatisfiable:
		return nil // the part is whole already; verification decides
	default:
		if ct := resp.Header.Get("Content-Type"); strings.Contains(ct, "json") {
			var env envelope
			if json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&env) == nil && len(env.Errors) > 0 {
				if c := env.Errors[0].code(); c == codeAccessTokenInvalid || c == codeAccessTokenExpired {
					l.c.dropToken(token)
					return &APIError{Op: op, Code: "network", Message: "access token expired"}
				}
				return &APIError{Op: op, Code: env.Errors[0].code(), Message: oneLine(env.Errors[0].Message)}
			}
		}
		return &APIError{Op: op, Code: fmt.Sprintf("HTTP %d", resp.StatusCode)}
	}
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode == http.StatusOK && strings.Contains(ct, "json") {
		// An API error in a 200 answer (e.g. 601/602 on the file endpoint).
		var env envelope
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if json.Unmarshal(data, &env) == nil && !env.Success && len(env.Errors) > 0 {
			if c := env.Errors[0].code(); c == codeAccessTokenInvalid || c == codeAccessTokenExpired {
				l.c.dropToken(token)
				return &APIError{Op: op, Code: "network", Message: "access token expired"}
			}
			return &APIError{Op: op, Code: env.Errors[0].code(), Message: oneLine(env.Errors[0].Message)}
		}
		if _, err := f.Write(data); err != nil {
			return err
		}
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if serr := f.Sync(); serr != nil {
			return serr
		}
		return transportError(op, err)
	}
	return f.Sync()
}

// fileSum is "sha256:<hex>" (Marketo's fileChecksum form) and the size of
// the file at path.
func fileSum(path string) (string, int64, error) {
	sum, n, _, err := scanFile(path)
	return sum, n, err
}

// scanFile reads the file at path once for its checksum, size and CSV
// record count.
func scanFile(path string) (sum string, size, records int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, 0, err
	}
	defer f.Close()
	h := sha256.New()
	var rc recordCounter
	size, err = io.Copy(io.MultiWriter(h, &rc), f)
	if err != nil {
		return "", 0, 0, err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), size, rc.records(), nil
}

// recordCounter counts RFC 4180 records as bytes are written to it, a
// byte-at-a-time state machine several times faster than encoding/csv,
// which it agrees with on every input encoding/csv accepts
// (FuzzRecordCounter): a quote opens a quoted field only at the start of a
// field, a doubled quote inside one is data, a newline ends a record only
// outside quotes, "\r\n" is a newline, and an empty line is not a record.
type recordCounter struct {
	state    byte // fieldStart, unquoted, quoted, quoteInQuoted
	content  bool // the current record has data
	cr       bool // a '\r' outside quotes, data unless a '\n' follows
	complete int64
}

const (
	fieldStart = iota
	unquoted
	quoted
	quoteInQuoted
)

func (c *recordCounter) Write(p []byte) (int, error) {
	st, content, cr, n := c.state, c.content, c.cr, c.complete
	for _, b := range p {
		switch st {
		case quoted:
			if b == '"' {
				st = quoteInQuoted
			}
			continue
		case quoteInQuoted:
			if b == '"' {
				st = quoted
				continue
			}
			st = unquoted // the quoted field has ended: what follows is read lazily
		}
		switch b {
		case '\n':
			if content {
				n++
			}
			st, content, cr = fieldStart, false, false
			continue
		case '\r':
			if cr {
				content = true
				if st == fieldStart {
					st = unquoted
				}
			}
			cr = true
			continue
		}
		if cr { // the '\r' before b was data
			content, cr = true, false
			if st == fieldStart {
				st = unquoted
			}
		}
		switch b {
		case ',':
			st, content = fieldStart, true
		case '"':
			if st == fieldStart {
				st = quoted
			}
			content = true
		default:
			st, content = unquoted, true
		}
	}
	c.state, c.content, c.cr, c.complete = st, content, cr, n
	return len(p), nil
}

// records is the count after the header, counting a last record without
// a final newline.
func (c *recordCounter) records() int64 {
	n := c.complete
	if c.content {
		n++
	}
	return max(n-1, 0)
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

// deletedLeads pages GET /rest/v1/activities/deletedleads.json from a
// paging token for since and writes the Delete Lead activities to a Bulk
// Activity Extract CSV (type 37), which the activities stage turns into
// deleted_in_marketo deactivations; deletions at or after until are left
// to the next range. primaryAttributeValue, the deleted
// person's name, is not kept. It returns the file's path relative to the
// landing directory.
func (l *lander) deletedLeads(ctx context.Context, since, until time.Time) (string, error) {
	var env envelope
	if err := l.c.call(ctx, "get paging token", http.MethodGet, "/rest/v1/activities/pagingtoken.json",
		url.Values{"sinceDatetime": {since.Format(time.RFC3339)}}, nil, &env); err != nil {
		return "", err
	}
	token := env.NextPageToken
	const f = "20060102T150405Z"
	name := filepath.Join("activities", fmt.Sprintf("deleted_leads-%s-%s.csv", since.Format(f), until.Format(f)))
	path := filepath.Join(l.req.Dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	var sb strings.Builder
	w := csv.NewWriter(&sb)
	w.Write([]string{"marketoGUID", "leadId", "activityDate", "activityTypeId", "campaignId", "primaryAttributeValueId", "primaryAttributeValue", "attributes"})
	for page := 0; ; page++ {
		if err := l.c.call(ctx, "get deleted leads", http.MethodGet, "/rest/v1/activities/deletedleads.json",
			url.Values{"nextPageToken": {token}, "batchSize": {"300"}}, nil, &env); err != nil {
			return "", err
		}
		var rows []struct {
			ID             json.Number     `json:"id"`
			MarketoGUID    string          `json:"marketoGUID"`
			LeadID         json.Number     `json:"leadId"`
			ActivityDate   string          `json:"activityDate"`
			ActivityTypeID json.Number     `json:"activityTypeId"`
			Attributes     json.RawMessage `json:"attributes"`
		}
		if len(env.Result) > 0 {
			if err := json.Unmarshal(env.Result, &rows); err != nil {
				return "", &APIError{Op: "get deleted leads", Code: "bad response", Message: err.Error()}
			}
		}
		for _, r := range rows {
			// The endpoint pages from since with no end: a deletion at or
			// after until belongs to the next range, which fetches it again.
			if t, err := time.Parse(time.RFC3339, r.ActivityDate); err == nil && !t.Before(until) {
				continue
			}
			guid := r.MarketoGUID
			if guid == "" {
				guid = r.ID.String()
			}
			typ := r.ActivityTypeID.String()
			if typ == "" {
				typ = "37"
			}
			attrs := strings.TrimSpace(string(r.Attributes))
			if attrs == "" || attrs == "null" || attrs == "[]" {
				attrs = "{}"
			}
			w.Write([]string{guid, r.LeadID.String(), r.ActivityDate, typ, "", "", "", attrs})
		}
		if env.NextPageToken != "" {
			token = env.NextPageToken
		}
		if !env.MoreResult {
			break
		}
		if page > 1_000_000 {
			return "", errors.New("marketo: deleted leads: more than a million pages; stopping")
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return "", err
	}
	if err := atomicfile.WriteFile(path, []byte(sb.String())); err != nil {
		return "", err
	}
	return name, nil
}
