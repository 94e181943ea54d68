// Package marketotest is an in-process Marketo for tests: the identity,
// Bulk Extract (leads and activities) and deleted-leads endpoints of
// Adobe's REST API documentation (it copies the example bodies there),
// backed by in-memory leads and activities,
// with switchable failure modes. Time is a FakeClock shared with the
// client under test: token expiry, the once-a-minute polls and the quota
// day run on it, so tests take milliseconds.
package marketotest

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FakeClock is a clock whose Sleep advances it at once.
type FakeClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewFakeClock starts a FakeClock at t.
func NewFakeClock(t time.Time) *FakeClock { return &FakeClock{now: t} }

func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *FakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

// Advance moves the clock forward by d.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Lead is one person: REST field name → value ("" is written as null).
type Lead map[string]string

// Activity is one activity row of the Bulk Activity Extract.
type Activity struct {
	GUID       string
	LeadID     int64
	Date       time.Time
	TypeID     int
	Attributes string // JSON object
}

// Deleted is one Delete Lead activity of deletedleads.json.
type Deleted struct {
	ID     int64
	LeadID int64
	Date   time.Time
	Name   string // primaryAttributeValue: the person's name
}

// Failures are the failure modes; counters are 1-based ("the Nth").
type Failures struct {
	RevokeTokenAfter int  // after this many authorized calls, the current token answers 602 (once)
	RateLimitBurst   int  // the next calls answer 606, this many times
	RateLimitAt      int  // … starting at this authorized call
	FailJob          int  // this export ends Failed
	CutDownload      bool // each file's first download stops half way
	Corrupt          int  // this many first downloads of each file have a byte flipped
	GoneJob          int  // this export's file answers 404, once
	GoneAlways       bool // every export's file answers 404
	QuotaAtEnqueue   int  // this enqueue of the day and later ones answer 1029 (quota)
	NoUpdatedAt      bool // a leads export with an updatedAt filter answers 1035
	HTTP502Once      bool // the first create answers HTTP 502
}

type job struct {
	id, kind, status  string
	n                 int
	content           []byte
	lastPoll          time.Time
	polled, downloads int
	records           int64
	fields            []string
	filter            string
	start, end        time.Time
	typeIDs           []int
}

// Server is the fake Marketo. Set Leads, Activities, Deleted and Fail
// before use; read the counters after.
type Server struct {
	*httptest.Server
	Clock        *FakeClock
	ClientID     string
	ClientSecret string
	TokenTTL     time.Duration

	mu         sync.Mutex
	Leads      []Lead
	Activities []Activity
	Deleted    []Deleted
	Fail       Failures
	// LeadFields are the REST names describe.json lists; a leads export
	// asking for another one fails (1006).
	LeadFields []string

	tokens        map[string]time.Time
	nTokens       int
	calls         int
	jobs          map[string]*job
	nJobs         int
	enqueuesToday int
	Creates       int      // create calls that made an export
	Ranged        int      // file requests with a Range header
	Violations    []string // protocol misuse seen: polls too often, windows too long, …
	MaxInQueue    int
}

// New starts a fake Marketo on clock.
func New(clock *FakeClock) *Server {
	s := &Server{Clock: clock, ClientID: "test-client-id", ClientSecret: "s3cret-DO-NOT-LEAK", TokenTTL: time.Hour,
		tokens: map[string]time.Time{}, jobs: map[string]*job{},
		LeadFields: []string{"id", "firstName", "lastName", "email", "phone", "company", "title", "leadSource",
			"sfdcLeadId", "sfdcContactId", "sfdcAccountId", "sfdcOpptyId", "linkedInProfileURL",
			"sfdcLeadOwnerId", "sfdcContactOwnerId", "sfdcType", "unsubscribed", "updatedAt", "createdAt", "leadScore"}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// NewDay resets the daily quota, as midnight US Central does.
func (s *Server) NewDay() {
	s.mu.Lock()
	s.enqueuesToday = 0
	s.mu.Unlock()
}

// Tokens is every access token issued so far.
func (s *Server) Tokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for t := range s.tokens {
		out = append(out, t)
	}
	return out
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, code, msg string) {
	writeJSON(w, map[string]any{"requestId": "e42b#14272d07d78", "success": false,
		"errors": []map[string]string{{"code": code, "message": msg}}})
}

func ok(w http.ResponseWriter, result any, extra map[string]any) {
	body := map[string]any{"requestId": "e42b#14272d07d78", "success": true}
	if result != nil {
		body["result"] = result
	}
	for k, v := range extra {
		body[k] = v
	}
	writeJSON(w, body)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Path == "/identity/oauth/token" {
		q := r.URL.Query()
		if r.Method != http.MethodGet || q.Get("grant_type") != "client_credentials" || q.Get("client_id") != s.ClientID || q.Get("client_secret") != s.ClientSecret {
			w.WriteHeader(http.StatusUnauthorized)
			writeJSON(w, map[string]string{"error": "unauthorized", "error_description": "Bad client credentials"})
			return
		}
		s.nTokens++
		tok := fmt.Sprintf("cdf01657-110d-4155-99a7-%012d:int", s.nTokens)
		s.tokens[tok] = s.Clock.Now().Add(s.TokenTTL)
		writeJSON(w, map[string]any{"access_token": tok, "token_type": "bearer", "expires_in": int(s.TokenTTL.Seconds()), "scope": "apis@acmeinc.com"})
		return
	}
	tok, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	exp, known := s.tokens[tok]
	switch {
	case !found || !known:
		fail(w, "601", "Access token invalid")
		return
	case !s.Clock.Now().Before(exp):
		fail(w, "602", "Access token expired")
		return
	}
	s.calls++
	if s.Fail.RevokeTokenAfter > 0 && s.calls > s.Fail.RevokeTokenAfter {
		s.Fail.RevokeTokenAfter = 0
		s.tokens[tok] = s.Clock.Now()
		fail(w, "602", "Access token expired")
		return
	}
	if s.Fail.RateLimitBurst > 0 && s.calls >= s.Fail.RateLimitAt {
		s.Fail.RateLimitBurst--
		fail(w, "606", "Max rate limit '100' exceeded with in '20' secs")
		return
	}
	p := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.URL.Path == "/rest/v1/activities/pagingtoken.json":
		since, err := time.Parse(time.RFC3339, r.URL.Query().Get("sinceDatetime"))
		if err != nil {
			fail(w, "1001", "Invalid value for sinceDatetime")
			return
		}
		ok(w, nil, map[string]any{"nextPageToken": "T" + strconv.FormatInt(since.Unix(), 10) + ":0"})
	case r.URL.Path == "/rest/v1/leads/describe.json":
		var res []map[string]any
		for i, f := range s.LeadFields {
			res = append(res, map[string]any{"id": i + 1, "displayName": f, "dataType": "string",
				"rest": map[string]any{"name": f, "readOnly": false}})
		}
		ok(w, res, nil)
	case r.URL.Path == "/rest/v1/activities/deletedleads.json":
		s.deletedLeads(w, r)
	case len(p) == 5 && p[0] == "bulk" && p[2] != "" && p[3] == "export" && p[4] == "create.json" && r.Method == http.MethodPost:
		s.create(w, r, p[2])
	case len(p) == 6 && p[0] == "bulk" && p[3] == "export":
		j := s.jobs[p[4]]
		if j == nil || j.kind != p[2] {
			fail(w, "1003", "Export Job not found")
			return
		}
		switch p[5] {
		case "enqueue.json":
			s.enqueue(w, j)
		case "status.json":
			s.status(w, j)
		case "file.json":
			s.file(w, r, j)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func (s *Server) create(w http.ResponseWriter, r *http.Request, kind string) {
	if s.Fail.HTTP502Once {
		s.Fail.HTTP502Once = false
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	var body struct {
		Fields []string                   `json:"fields"`
		Format string                     `json:"format"`
		Filter map[string]json.RawMessage `json:"filter"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Format != "CSV" {
		fail(w, "1003", "Invalid request body")
		return
	}
	j := &job{kind: kind, fields: body.Fields, status: "Created"}
	for name, raw := range body.Filter {
		switch name {
		case "createdAt", "updatedAt":
			if name == "updatedAt" && (kind != "leads" || s.Fail.NoUpdatedAt) {
				fail(w, "1035", "Unsupported filter type for target subscription: updatedAt")
				return
			}
			var rng struct{ StartAt, EndAt time.Time }
			if err := json.Unmarshal(raw, &rng); err != nil || !rng.StartAt.Before(rng.EndAt) {
				fail(w, "1003", "Invalid date range")
				return
			}
			if rng.EndAt.Sub(rng.StartAt) > 31*24*time.Hour {
				s.Violations = append(s.Violations, "window longer than 31 days")
				fail(w, "1003", "Date range exceeds 31 days")
				return
			}
			j.filter, j.start, j.end = name, rng.StartAt, rng.EndAt
		case "activityTypeIds":
			json.Unmarshal(raw, &j.typeIDs)
		}
	}
	if j.filter == "" || (kind == "leads" && len(body.Fields) == 0) {
		fail(w, "1003", "A date range filter is required")
		return
	}
	for _, f := range body.Fields {
		if !slices.Contains(s.LeadFields, f) {
			fail(w, "1006", "Field '"+f+"' not found")
			return
		}
	}
	s.nJobs++
	s.Creates++
	j.n = s.nJobs
	j.id = fmt.Sprintf("ce45a7a1-f19d-4ce2-882c-%012d", j.n)
	s.jobs[j.id] = j
	ok(w, []map[string]any{{"exportId": j.id, "status": "Created", "createdAt": s.Clock.Now().Format(time.RFC3339), "format": "CSV"}}, nil)
}

func (s *Server) inQueue() int {
	n := 0
	for _, j := range s.jobs {
		if j.status == "Queued" || j.status == "Processing" {
			n++
		}
	}
	return n
}

func (s *Server) enqueue(w http.ResponseWriter, j *job) {
	s.enqueuesToday++
	if s.Fail.QuotaAtEnqueue > 0 && s.enqueuesToday >= s.Fail.QuotaAtEnqueue {
		fail(w, "1029", "Export daily quota 500MB exceeded")
		return
	}
	if j.status != "Created" {
		fail(w, "1029", "Job already queued")
		return
	}
	if s.inQueue() >= 10 {
		fail(w, "1029", "Too many jobs (10) in queue")
		return
	}
	j.status, j.lastPoll = "Queued", s.Clock.Now()
	s.MaxInQueue = max(s.MaxInQueue, s.inQueue())
	ok(w, []map[string]any{{"exportId": j.id, "format": "CSV", "status": "Queued", "queuedAt": s.Clock.Now().Format(time.RFC3339)}}, nil)
}

// status advances the job one step per poll: Queued → Processing (when
// fewer than 2 are processing) → Completed, when its file is written.
func (s *Server) status(w http.ResponseWriter, j *job) {
	now := s.Clock.Now()
	if j.polled > 0 && now.Sub(j.lastPoll) < time.Minute {
		s.Violations = append(s.Violations, "status polled twice within a minute")
	}
	j.polled++
	j.lastPoll = now
	switch j.status {
	case "Queued":
		processing := 0
		for _, o := range s.jobs {
			if o.status == "Processing" {
				processing++
			}
		}
		if processing < 2 {
			j.status = "Processing"
		}
	case "Processing":
		if j.n == s.Fail.FailJob {
			j.status = "Failed"
			break
		}
		j.content, j.records = s.render(j)
		j.status = "Completed"
	}
	res := map[string]any{"exportId": j.id, "status": j.status, "format": "CSV", "createdAt": now.Format(time.RFC3339)}
	if j.status == "Completed" {
		sum := sha256.Sum256(j.content)
		res["numberOfRecords"] = j.records
		res["fileSize"] = len(j.content)
		res["fileChecksum"] = "sha256:" + hex.EncodeToString(sum[:])
	}
	if j.status == "Failed" {
		res["errorMsg"] = "Failed to export"
	}
	ok(w, []map[string]any{res}, nil)
}

func nullable(v string) string {
	if v == "" {
		return "null"
	}
	return v
}

func (s *Server) render(j *job) ([]byte, int64) {
	var sb strings.Builder
	cw := csv.NewWriter(&sb)
	var n int64
	in := func(t time.Time) bool { return !t.Before(j.start) && t.Before(j.end) }
	if j.kind == "leads" {
		cw.Write(j.fields)
		for _, l := range s.Leads {
			t, err := time.Parse(time.RFC3339, l[j.filter])
			if err != nil || !in(t) {
				continue
			}
			row := make([]string, len(j.fields))
			for i, f := range j.fields {
				row[i] = nullable(l[f])
			}
			cw.Write(row)
			n++
		}
	} else {
		cw.Write([]string{"marketoGUID", "leadId", "activityDate", "activityTypeId", "campaignId", "primaryAttributeValueId", "primaryAttributeValue", "attributes"})
		for _, a := range s.Activities {
			if !in(a.Date) || (len(j.typeIDs) > 0 && !slices.Contains(j.typeIDs, a.TypeID)) {
				continue
			}
			cw.Write([]string{a.GUID, strconv.FormatInt(a.LeadID, 10), a.Date.UTC().Format(time.RFC3339), strconv.Itoa(a.TypeID), "null", "null", "null", nullable(a.Attributes)})
			n++
		}
	}
	cw.Flush()
	return []byte(sb.String()), n
}

func (s *Server) file(w http.ResponseWriter, r *http.Request, j *job) {
	if j.status != "Completed" {
		fail(w, "1003", "Export job is not completed")
		return
	}
	if j.n == s.Fail.GoneJob || s.Fail.GoneAlways {
		s.Fail.GoneJob = 0
		w.WriteHeader(http.StatusNotFound)
		return
	}
	j.downloads++
	content := j.content
	if j.downloads <= s.Fail.Corrupt && len(content) > 10 {
		content = slices.Clone(content)
		content[len(content)/2] ^= 0x20
	}
	from := 0
	if rg := r.Header.Get("Range"); rg != "" {
		s.Ranged++
		v, okr := strings.CutPrefix(rg, "bytes=")
		v, _ = strings.CutSuffix(v, "-")
		n, err := strconv.Atoi(v)
		if !okr || err != nil || n < 0 {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if n >= len(content) {
			w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
			return
		}
		from = n
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", n, len(content)-1, len(content)))
	}
	w.Header().Set("Content-Type", "text/csv")
	w.Header().Set("Content-Length", strconv.Itoa(len(content)-from))
	if from > 0 {
		w.WriteHeader(http.StatusPartialContent)
	} else {
		w.WriteHeader(http.StatusOK)
	}
	if s.Fail.CutDownload && j.downloads == 1 && from == 0 {
		w.Write(content[:len(content)/2])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	}
	w.Write(content[from:])
}

func (s *Server) deletedLeads(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	tok := q.Get("nextPageToken")
	sinceS, offS, okt := strings.Cut(strings.TrimPrefix(tok, "T"), ":")
	since, err1 := strconv.ParseInt(sinceS, 10, 64)
	off, err2 := strconv.Atoi(offS)
	if !strings.HasPrefix(tok, "T") || !okt || err1 != nil || err2 != nil {
		fail(w, "1001", "Invalid value for nextPageToken")
		return
	}
	size, _ := strconv.Atoi(q.Get("batchSize"))
	if size <= 0 || size > 300 {
		size = 300
	}
	var all []Deleted
	for _, d := range s.Deleted {
		if !d.Date.Before(time.Unix(since, 0)) {
			all = append(all, d)
		}
	}
	slices.SortFunc(all, func(a, b Deleted) int { return a.Date.Compare(b.Date) })
	end := min(off+size, len(all))
	var res []map[string]any
	for _, d := range all[min(off, len(all)):end] {
		res = append(res, map[string]any{"id": d.ID, "marketoGUID": strconv.FormatInt(d.ID, 10), "leadId": d.LeadID,
			"activityDate": d.Date.UTC().Format(time.RFC3339), "activityTypeId": 37, "primaryAttributeValue": d.Name, "attributes": []any{}})
	}
	extra := map[string]any{"nextPageToken": fmt.Sprintf("T%d:%d", since, end), "moreResult": end < len(all)}
	if res == nil {
		ok(w, nil, extra)
		return
	}
	ok(w, res, extra)
}
