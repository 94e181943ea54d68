package marketo

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/actsync/actsync/internal/atomicfile"
)

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
