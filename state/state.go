// Package state is actsync's state directory: the DuckDB database on one
// connection (State), the writer lock, the layout of snapshots/, runs/ and
// .staging/, the publishing journal with which Open completes or discards a
// run a dead process left unfinished, erasure, the history views and
// snapshot retention, and the Parquet staging files through which batches
// reach DuckDB. It knows nothing of stages: the load stage and the reconcile
// steps write into a State inside the run's transaction.
package state

import (
	"context"
	dbsql "database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" driver

	sqlfiles "github.com/actsync/actsync/sql"
)

// Layout of a state directory (docs/design.md "State").
const (
	DatabaseFile = "actions.duckdb"
	SnapshotDir  = "snapshots"
	RunsDir      = "runs"
	StagingDir   = ".staging"
)

// SnapshotTables are the tables written as Parquet snapshots by every run,
// under snapshots/<table>/run_id=<id>/. people is the whole table as it
// stands after the run; the others hold the run's own rows.
var SnapshotTables = []string{"people", "changes", "exclusions", "rejects", "duplicate_emails", "stale_rows"}

// State is an open state directory. It holds one DuckDB connection for its
// lifetime: temp tables belong to a connection, and DuckDB's file lock on
// the database makes a second writer fail at open. Close it.
type State struct {
	Dir  string
	db   *dbsql.DB
	conn *dbsql.Conn
	lock *os.File // the writer lock; nil when read-only
	// Recovered lists what Open did about runs a dead process left
	// unfinished (see Recovery); the caller tells the user.
	Recovered []Recovery
}

// Open opens (creating if needed) the state in dir for writing. It takes
// the state's writer lock (LockFile) before opening the database and fails
// at once with a *LockedError when another process holds it. It then
// completes or discards any run a killed process left unfinished (see
// Recovery) and lists what it did in State.Recovered.
func Open(ctx context.Context, dir string) (*State, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	for _, d := range []string{SnapshotDir, RunsDir} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			return nil, err
		}
	}
	lock, err := lockState(dir)
	if err != nil {
		return nil, err
	}
	st, err := open(ctx, dir, false)
	if err != nil {
		unlockState(lock)
		return nil, err
	}
	st.lock = lock
	if err := ownerOnly(dir); err != nil {
		st.Close()
		return nil, err
	}
	if err := st.createSchema(ctx); err != nil {
		st.Close()
		return nil, err
	}
	if st.Recovered, err = st.recoverRuns(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("recovering an interrupted run in %s: %w", dir, err)
	}
	if err := removeRunTemps(dir); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// createSchema creates or completes the tables, in one transaction: a
// state made before person_exits gets it built from its history, and a
// crash cannot leave it created but empty.
func (s *State) createSchema(ctx context.Context) error {
	tx, err := s.conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var hadExits bool
	if err := tx.QueryRowContext(ctx, `SELECT count(*) > 0 FROM duckdb_tables()
		WHERE database_name = current_database() AND table_name = 'person_exits'`).Scan(&hadExits); err != nil {
		return err
	}
	// The activity tables too: the out-of-order rules (sql/people/010_run_marks.sql)
	// read lifecycle_events whether or not a run ever had activities.
	steps := []string{"schema/schema", "schema/activity_schema"}
	if !hadExits {
		steps = append(steps, "schema/fill_person_exits")
	}
	for _, name := range steps {
		if _, err := tx.ExecContext(ctx, sqlfiles.Text(name)); err != nil {
			return fmt.Errorf("create schema (%s.sql): %w", name, err)
		}
	}
	return tx.Commit()
}

// ownerOnly makes the state directory and actsync's entries in it readable
// by the owner only: a state made before modes were enforced, or by a
// process with a lax umask, is tightened at every open (DuckDB creates
// actions.duckdb with the process umask). Other files in dir are left alone.
func ownerOnly(dir string) error {
	if err := os.Chmod(dir, 0o700); err != nil {
		return err
	}
	for name, mode := range map[string]os.FileMode{
		DatabaseFile: 0o600, DatabaseFile + ".wal": 0o600, LockFile: 0o600,
		SnapshotDir: 0o700, RunsDir: 0o700, StagingDir: 0o700,
	} {
		if err := os.Chmod(filepath.Join(dir, name), mode); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

// OpenReadOnly opens an existing state for reading; it never writes and
// does not take the writer lock. DuckDB refuses it while a writer has the
// database open; the error then names the writer.
func OpenReadOnly(ctx context.Context, dir string) (*State, error) {
	if _, err := os.Stat(filepath.Join(dir, DatabaseFile)); err != nil {
		return nil, fmt.Errorf("no actsync state in %s (run `actsync run` first): %w", dir, err)
	}
	return open(ctx, dir, true)
}

func open(ctx context.Context, dir string, readOnly bool) (*State, error) {
	dsn := filepath.Join(dir, DatabaseFile)
	if readOnly {
		dsn += "?access_mode=read_only"
	}
	db, err := dbsql.Open("duckdb", dsn)
	if err != nil {
		return nil, openError(dir, readOnly, err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, openError(dir, readOnly, err)
	}
	// Every time actsync stores or compares is UTC. A bound time.Time
	// reaches DuckDB as a TIMESTAMP WITH TIME ZONE, which becomes a
	// TIMESTAMP in the session's zone: make that zone UTC whatever TZ the
	// process runs under.
	if _, err := conn.ExecContext(ctx, "SET TimeZone = 'UTC'"); err != nil {
		conn.Close()
		db.Close()
		return nil, openError(dir, readOnly, err)
	}
	if _, err := conn.ExecContext(ctx, allocatorFlush); err != nil {
		conn.Close()
		db.Close()
		return nil, openError(dir, readOnly, err)
	}
	return &State{Dir: dir, db: db, conn: conn}, nil
}

// allocatorFlush has DuckDB hand freed memory back to the system after
// every task that peaked at 32MB, and after any one release of 128MB,
// rather than at its defaults of 128MB and 512MB, which are sized for
// jemalloc (the bundled library is built with glibc's malloc). Under the
// default 500MB memory limit no release reached 512MB, so malloc kept what
// each statement of the load had freed and the process grew past twice the
// limit: at 10M people, 1.19 GB peak RSS with the defaults against 0.89 GB
// with these. A 32MB release threshold went a little lower (0.87 GB) but
// cost about 0.4 s of a 10 s activities run in trimming; these cost
// nothing measurable (docs/performance.md).
const allocatorFlush = "SET allocator_flush_threshold = '32MB'; SET allocator_bulk_deallocation_flush_threshold = '128MB'"

// SetMemoryLimit caps DuckDB's memory for the rest of the session at
// limit, in DuckDB's syntax (2GB, 512MiB, 50%); above it DuckDB spills to
// actions.duckdb.tmp/ beside the database. Go's own memory (the filter's
// index, Arrow batches) is not counted in it.
func (s *State) SetMemoryLimit(ctx context.Context, limit string) error {
	_, err := s.conn.ExecContext(ctx, "SET memory_limit = "+sqlfiles.QuoteString(limit))
	return err
}

// CheckMemoryLimit reports whether DuckDB accepts limit as a memory_limit,
// asking an in-memory database, so that a bad flag is refused before any
// state is opened or created.
func CheckMemoryLimit(ctx context.Context, limit string) error {
	db, err := dbsql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "SET memory_limit = "+sqlfiles.QuoteString(limit))
	return err
}

// openError explains a failed open: a reader refused because a live writer
// holds the database is told who, not DuckDB's lock error.
func openError(dir string, readOnly bool, err error) error {
	if pid := liveWriter(dir); readOnly && pid > 0 && pid != os.Getpid() {
		return fmt.Errorf("%w; try again when it has finished", &LockedError{Dir: dir, PID: pid})
	}
	return fmt.Errorf("open %s: %w", filepath.Join(dir, DatabaseFile), err)
}

// Conn is the state's one connection.
func (s *State) Conn() *dbsql.Conn { return s.conn }

// NextRunID is the id the next run will get.
func (s *State) NextRunID(ctx context.Context) (int64, error) {
	var id int64
	err := s.conn.QueryRowContext(ctx, sqlfiles.Text("run/next_run_id")).Scan(&id)
	return id, err
}

// AppliedIn returns, for each of the given sha256 sums that an earlier
// run read as an input, the first such run.
func (s *State) AppliedIn(ctx context.Context, sums []string) (map[string]int64, error) {
	rows, err := s.conn.QueryContext(ctx,
		"SELECT sha256, min(run_id) FROM inputs WHERE list_contains($1, sha256) GROUP BY sha256", sums)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var sum string
		var run int64
		if err := rows.Scan(&sum, &run); err != nil {
			return nil, err
		}
		out[sum] = run
	}
	return out, rows.Err()
}

// InputSizes returns which of the given file sizes an earlier run's input
// had. A file of another size was never read (AppliedIn would not find its
// sha256), so it need not be hashed to know that.
func (s *State) InputSizes(ctx context.Context, sizes []int64) (map[int64]bool, error) {
	rows, err := s.conn.QueryContext(ctx, sqlfiles.Text("run/input_sizes"), sizes)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out[n] = true
	}
	return out, rows.Err()
}

// Close closes the connection and the database.
func (s *State) Close() error {
	err := s.conn.Close()
	if cerr := s.db.Close(); err == nil {
		err = cerr
	}
	if s.lock != nil {
		if cerr := unlockState(s.lock); err == nil {
			err = cerr
		}
		s.lock = nil
	}
	return err
}
