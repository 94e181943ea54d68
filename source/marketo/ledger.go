package marketo

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/actsync/actsync/internal/atomicfile"
	"github.com/actsync/actsync/internal/flock"
)

// LedgerFile is the job ledger in a landing directory: the exports asked of
// Marketo, their windows and status, and the files landed. It is hidden, so
// extract.Discover skips it when the directory is given as an input.
const LedgerFile = ".marketo-jobs.json"

// partialDir holds downloads in progress (<exportId>.part); hidden too.
const partialDir = ".partial"

// lockFile keeps two processes from landing into one directory at once.
const lockFile = ".marketo.lock"

// Job statuses. Created, Queued, Processing, Completed, Failed and
// Cancelled are Marketo's; pending (no export yet) and landed (the file is
// verified and in place) are the ledger's own.
const (
	statusPending    = "pending"
	statusCreated    = "Created"
	statusQueued     = "Queued"
	statusProcessing = "Processing"
	statusCompleted  = "Completed"
	statusFailed     = "Failed"
	statusLanded     = "landed"
)

// Kinds of export.
const (
	KindLeads      = "leads"
	KindActivities = "activities"
	kindDeleted    = "deleted_leads" // a Done mark only: deleted leads are paged, not exported
)

// Job is one export window in the ledger.
type Job struct {
	Kind   string    `json:"kind"`
	Filter string    `json:"filter"` // updatedAt or createdAt
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	// Spec identifies the request (fields, format, activity types): a job
	// is reused only for the same request.
	Spec     string    `json:"spec"`
	ExportID string    `json:"export_id,omitempty"`
	Status   string    `json:"status"`
	Created  time.Time `json:"created,omitempty"` // Marketo keeps a file seven days
	// Polled is the last status poll (or the enqueue): the next is at
	// least PollInterval later, across processes too.
	Polled   time.Time `json:"polled,omitempty"`
	Records  int64     `json:"records,omitempty"`
	Bytes    int64     `json:"bytes,omitempty"`
	Checksum string    `json:"checksum,omitempty"`
	File     string    `json:"file,omitempty"` // relative to the landing directory, once landed
}

func (j *Job) window() string {
	return fmt.Sprintf("%s export %s..%s", j.Kind, j.Start.Format(time.RFC3339), j.End.Format(time.RFC3339))
}

// Ledger is the persisted state of the exports of one landing directory,
// written atomically (temporary file, fsync, rename) after every change,
// so a process stopped at any point (quota, crash, Ctrl-C) resumes from it.
type Ledger struct {
	Version int `json:"version"`
	// LeadsFilter is "createdAt" once the subscription answered 1035 to an
	// updatedAt filter; later runs go straight to createdAt.
	LeadsFilter string `json:"leads_filter,omitempty"`
	Jobs        []*Job `json:"jobs"`
	// Done is, per kind, the end of the last range fully landed and handed
	// on (loaded by run, written by extract): the next range starts there.
	Done map[string]time.Time `json:"done"`
	// Measured sums, per kind, the exports handed on: what --plan
	// estimates from.
	Measured map[string]Measure `json:"measured,omitempty"`
}

// Measure is the volume of the exports of one kind handed on so far.
type Measure struct {
	Records int64 `json:"records"`
	Bytes   int64 `json:"bytes"`
	Seconds int64 `json:"window_seconds"` // total length of their windows
}

func readLedger(dir string) (*Ledger, error) {
	l := &Ledger{Version: 1, Done: map[string]time.Time{}, Measured: map[string]Measure{}}
	data, err := os.ReadFile(filepath.Join(dir, LedgerFile))
	if errors.Is(err, os.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, l); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, LedgerFile), err)
	}
	if l.Done == nil {
		l.Done = map[string]time.Time{}
	}
	if l.Measured == nil {
		l.Measured = map[string]Measure{}
	}
	return l, nil
}

func (l *Ledger) save(dir string) error {
	data, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, LedgerFile), data)
}

// lockDir takes dir's landing lock or fails at once.
func lockDir(dir string) (*os.File, error) {
	f, err := flock.TryLock(filepath.Join(dir, lockFile))
	if errors.Is(err, flock.ErrLocked) {
		return nil, fmt.Errorf("another actsync is landing Marketo exports into %s; try again when it has finished", dir)
	}
	return f, err
}

// DiscardLanded removes the files landed in dir but not yet handed on, and
// downloads in progress: `actsync erase` calls it so that no file in the
// state keeps an erased person. The ledger keeps its exports; a later Land
// downloads a discarded file again from its finished export (Marketo keeps
// it seven days and meters the quota per export, not per download) or
// exports it anew. It returns the number
// of files removed.
func DiscardLanded(dir string) (int, error) {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	lock, err := lockDir(dir)
	if err != nil {
		return 0, err
	}
	defer lock.Close()
	n := 0
	for _, sub := range []string{"people", "activities", partialDir} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return n, err
		}
		for _, e := range entries {
			if err := os.Remove(filepath.Join(dir, sub, e.Name())); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// Pending describes, in one line, the exports of the ledger in dir that
// are not handed on yet (after a quota stop, say), or is "" when there are
// none. It reads the ledger without the lock: the file is only ever
// replaced whole.
func Pending(dir string) string {
	l, err := readLedger(dir)
	if err != nil {
		return fmt.Sprintf("marketo: %v", err)
	}
	if len(l.Jobs) == 0 {
		return ""
	}
	var landed, inMarketo, toCreate int
	var from time.Time
	for _, j := range l.Jobs {
		switch j.Status {
		case statusLanded:
			landed++
		case statusPending:
			toCreate++
		default:
			inMarketo++
		}
		if from.IsZero() || j.Start.Before(from) {
			from = j.Start
		}
	}
	return fmt.Sprintf("marketo: %d export(s) from %s not loaded yet (%d landed, %d in Marketo, %d to create); the same run command resumes them",
		len(l.Jobs), from.Format(time.RFC3339), landed, inMarketo, toCreate)
}
