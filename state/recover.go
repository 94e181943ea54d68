package state

import (
	"context"
	dbsql "database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/actsync/actsync/internal/atomicfile"
	sqlfiles "github.com/actsync/actsync/sql"
)

// JournalFile is written into a run's staging directory just before its
// transaction commits. It lists what the run publishes after the commit, so
// that a run killed between the commit and the end of publishing can be
// completed by the next writer (Open) from the journal and the runs table.
const JournalFile = "journal.json"

// CrashPointEnv names the environment variable of a test hook: when it
// holds one of the points below, the process kills itself with SIGKILL on
// reaching it. The crash-safety tests use it to die at each step of
// publishing a run, a window too narrow to hit reliably with a timer:
// before-commit, after-commit, after-copy (the snapshots written after the
// commit, state.CopyTable), after-rename (the first snapshot moved),
// after-report (runs/<id>.json written, staging not yet removed).
const CrashPointEnv = "ACTSYNC_CRASH_POINT"

// CrashPoint kills the process if CrashPointEnv names point.
func CrashPoint(point string) {
	if os.Getenv(CrashPointEnv) == point {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
	}
}

// Journal is the publishing plan of one run. Paths are relative to the state
// directory, so a state directory can be moved between a crash and its
// recovery.
type Journal struct {
	RunID int64 `json:"run_id"`
	// Copies are snapshots written after the commit, from the committed
	// table, before the renames (see CopyTable).
	Copies  []Copy   `json:"copies,omitempty"`
	Renames []Rename `json:"renames"`
	Report  string   `json:"report"` // runs/<id>.json, written from runs.report
}

// Copy is a whole-table snapshot a run writes after its commit: File
// (relative to the state directory) is COPY (SELECT * FROM Table).
type Copy struct {
	Table string `json:"table"`
	File  string `json:"file"`
}

// CopyTable writes the whole of table to the file path as Parquet, by way
// of path.tmp and a rename, so that path exists only complete. It runs
// after the run's commit: DuckDB scans a committed table about a third
// faster than the rows of an open transaction (2M people: 6.3 s against
// 10.1 s; docs/performance.md), and until the journal is gone no other
// write can reach the table (the next writer's Open completes the run
// first), so the copy is the table as the run left it.
//
// The copy does not keep the table's row order (preserve_insertion_order
// off for the statement): a snapshot is a set of rows, and an ordered COPY
// of a large table holds row groups back to write them in order. For the
// 7M-person table that took 2.6 GB of peak RSS and 32 s against 1.0 GB and
// 23 s unordered, and under a 400MB memory limit 89 s against 22 s
// (docs/performance.md).
func (s *State) CopyTable(ctx context.Context, table, path string) (err error) {
	tmp := path + ".tmp"
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	os.Remove(tmp)
	if _, err := s.conn.ExecContext(ctx, "SET preserve_insertion_order = false"); err != nil {
		return err
	}
	defer func() {
		if _, rerr := s.conn.ExecContext(context.WithoutCancel(ctx), "RESET preserve_insertion_order"); rerr != nil && err == nil {
			err = rerr
		}
	}()
	if _, err := s.conn.ExecContext(ctx, sqlfiles.CopyStatement("SELECT * FROM "+quoteIdent(table), tmp)); err != nil {
		return fmt.Errorf("snapshot %s: %w", table, err)
	}
	// DuckDB creates the file with the process umask.
	if err := os.Chmod(tmp, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Rename is one move of a published run: From and To are relative to the
// state directory.
type Rename struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// WriteJournal writes j into staging durably: by rename, after an fsync.
func WriteJournal(staging string, j Journal) error {
	data, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(staging, JournalFile), data)
}

// Recovery is what Open did about a run that a previous process left
// unfinished: a run that died before its commit leaves only staging files,
// which are removed (Committed false); a run that died after its commit but
// before its snapshots and runs/<id>.json were published is completed
// (Committed true).
type Recovery struct {
	RunID     int64
	Committed bool
	Copied    int  // snapshots written from their committed table
	Published int  // snapshot directories moved into snapshots/
	Report    bool // runs/<id>.json written from the runs table
}

func (r Recovery) String() string {
	if !r.Committed {
		return fmt.Sprintf("discarded interrupted run %d: it died before its commit, so nothing of it was in the state; removed its staging files", r.RunID)
	}
	if r.Copied == 0 && r.Published == 0 && !r.Report {
		return fmt.Sprintf("run %d had been published in full before its process died; removed its leftover staging files", r.RunID)
	}
	what := fmt.Sprintf("%d snapshot directories", r.Published)
	if r.Copied > 0 {
		what = fmt.Sprintf("%d snapshot files copied from their committed tables, %s", r.Copied, what)
	}
	if r.Report {
		what += fmt.Sprintf(" and runs/%d.json", r.RunID)
	}
	return fmt.Sprintf("completed interrupted run %d: it died after its commit; published %s", r.RunID, what)
}

// Interrupted describes a run a dead process left in the staging directory,
// as seen by a reader (Pending) that does not repair it.
type Interrupted struct {
	RunID     int64
	Committed bool
}

func (i Interrupted) String() string {
	if i.Committed {
		return fmt.Sprintf("run %d was interrupted after its commit; the next `actsync run` finishes publishing its snapshots and runs/%d.json", i.RunID, i.RunID)
	}
	return fmt.Sprintf("run %d was interrupted before its commit (nothing of it is in the database); the next `actsync run` removes its staging files", i.RunID)
}

// stagedRuns lists the run directories under .staging, by run id.
func stagedRuns(dir string) ([]int64, error) {
	entries, err := os.ReadDir(filepath.Join(dir, StagingDir))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, e := range entries {
		id, err := strconv.ParseInt(strings.TrimPrefix(e.Name(), "run-"), 10, 64)
		if err != nil || !strings.HasPrefix(e.Name(), "run-") {
			continue
		}
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids, nil
}

// committedReport returns the runs.report of runID and whether the run is
// committed.
func (s *State) committedReport(ctx context.Context, runID int64) (string, bool, error) {
	var report string
	err := s.conn.QueryRowContext(ctx, "SELECT report FROM runs WHERE run_id = $1", runID).Scan(&report)
	if errors.Is(err, dbsql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return report, true, nil
}

// Pending lists the runs a dead process left unfinished, without repairing
// them: what `status` reports. Call it on a state opened read-only, which
// DuckDB refuses while a writer holds the database, so a staging directory
// seen here belongs to no live run.
func (s *State) Pending(ctx context.Context) ([]Interrupted, error) {
	ids, err := stagedRuns(s.Dir)
	if err != nil {
		return nil, err
	}
	var out []Interrupted
	for _, id := range ids {
		_, committed, err := s.committedReport(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, Interrupted{RunID: id, Committed: committed})
	}
	return out, nil
}

// recoverRuns finishes or discards every run left in the staging directory. It
// is idempotent: killed halfway, the next Open picks up where it stopped.
// The caller holds the state's write lock.
func (s *State) recoverRuns(ctx context.Context) ([]Recovery, error) {
	ids, err := stagedRuns(s.Dir)
	if err != nil {
		return nil, err
	}
	var out []Recovery
	for _, id := range ids {
		staging := filepath.Join(s.Dir, StagingDir, "run-"+strconv.FormatInt(id, 10))
		report, committed, err := s.committedReport(ctx, id)
		if err != nil {
			return out, err
		}
		rec := Recovery{RunID: id, Committed: committed}
		if committed {
			data, err := os.ReadFile(filepath.Join(staging, JournalFile))
			if errors.Is(err, os.ErrNotExist) {
				// A committed run wrote its journal before its commit and
				// removes it once everything is published: only the
				// staging files are left to remove.
				data, err = json.Marshal(Journal{RunID: id, Report: filepath.Join(RunsDir, strconv.FormatInt(id, 10)+".json")})
			}
			if err != nil {
				return out, fmt.Errorf("recover run %d: %w", id, err)
			}
			var j Journal
			if err := json.Unmarshal(data, &j); err != nil || j.RunID != id {
				return out, fmt.Errorf("recover run %d: bad journal %s: %v", id, filepath.Join(staging, JournalFile), err)
			}
			published := func(file string) bool {
				for _, r := range j.Renames {
					if rel, err := filepath.Rel(r.From, file); err == nil && !strings.HasPrefix(rel, "..") {
						_, err := os.Stat(filepath.Join(s.Dir, r.To, rel))
						return err == nil
					}
				}
				return false
			}
			for _, c := range j.Copies {
				if _, err := os.Stat(filepath.Join(s.Dir, c.File)); err == nil || published(c.File) {
					continue // written before the crash
				}
				if err := s.CopyTable(ctx, c.Table, filepath.Join(s.Dir, c.File)); err != nil {
					return out, fmt.Errorf("recover run %d: %w", id, err)
				}
				rec.Copied++
			}
			for _, r := range j.Renames {
				from, to := filepath.Join(s.Dir, r.From), filepath.Join(s.Dir, r.To)
				if _, err := os.Stat(from); errors.Is(err, os.ErrNotExist) {
					continue // published before the crash
				}
				if _, err := os.Stat(to); err == nil {
					continue // cannot happen (rename is atomic); keep what is published
				}
				if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
					return out, err
				}
				if err := os.Rename(from, to); err != nil {
					return out, fmt.Errorf("recover run %d: %w", id, err)
				}
				rec.Published++
			}
			path := filepath.Join(s.Dir, j.Report)
			if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
				if err := atomicfile.WriteFile(path, []byte(report+"\n")); err != nil {
					return out, fmt.Errorf("recover run %d: %w", id, err)
				}
				rec.Report = true
			}
		}
		os.Remove(filepath.Join(s.Dir, RunsDir, strconv.FormatInt(id, 10)+".json.tmp"))
		if err := os.RemoveAll(staging); err != nil {
			return out, fmt.Errorf("recover run %d: %w", id, err)
		}
		out = append(out, rec)
	}
	return out, nil
}
