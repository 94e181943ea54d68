package marketo

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

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
