package marketo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

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
