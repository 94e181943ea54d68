package state

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	sqlfiles "github.com/actsync/actsync/sql"
)

// snapshotRuns returns the run ids whose snapshot of table is on disk, in
// ascending order.
func (s *State) snapshotRuns(table string) ([]int64, error) {
	entries, err := os.ReadDir(filepath.Join(s.Dir, SnapshotDir, table))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, e := range entries {
		v, ok := strings.CutPrefix(e.Name(), "run_id=")
		if !ok || !e.IsDir() {
			continue
		}
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// AddHistoryViews creates, on the state's connection, the temporary views
// over the change log (sql/history/change_views.sql) and over the people snapshot
// history (sql/history/history_views.sql): field_changes, owner_changes,
// people_history and the people_as_of table macro. They write nothing and
// work on a read-only state. The snapshot views exist only once a people
// snapshot does.
func (s *State) AddHistoryViews(ctx context.Context) error {
	if _, err := s.conn.ExecContext(ctx, sqlfiles.Text("history/change_views")); err != nil {
		return fmt.Errorf("history/change_views.sql: %w", err)
	}
	ids, err := s.snapshotRuns("people")
	if err != nil || len(ids) == 0 {
		return err
	}
	glob := filepath.Join(s.Dir, SnapshotDir, "people", "run_id=*", "*.parquet")
	if _, err := s.conn.ExecContext(ctx, "SET VARIABLE actsync_people_snapshots = $1", glob); err != nil {
		return err
	}
	if _, err := s.conn.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE snapshot_runs AS SELECT unnest($1::BIGINT[]) AS run_id", ids); err != nil {
		return err
	}
	if _, err := s.conn.ExecContext(ctx, sqlfiles.Text("history/history_views")); err != nil {
		return fmt.Errorf("history/history_views.sql: %w", err)
	}
	return nil
}

// PruneSnapshots keeps the newest keep snapshots of every table and
// removes the older ones. The tables in actions.duckdb keep every run: only
// the Parquet copies go.
func (s *State) PruneSnapshots(keep int) error {
	if keep <= 0 {
		return nil
	}
	tables, err := os.ReadDir(filepath.Join(s.Dir, SnapshotDir))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, t := range tables {
		if !t.IsDir() {
			continue
		}
		ids, err := s.snapshotRuns(t.Name())
		if err != nil {
			return err
		}
		for _, id := range ids[:max(len(ids)-keep, 0)] {
			dir := filepath.Join(s.Dir, SnapshotDir, t.Name(), "run_id="+strconv.FormatInt(id, 10))
			if err := os.RemoveAll(dir); err != nil {
				return err
			}
		}
	}
	return nil
}
