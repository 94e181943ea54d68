package sync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/actsync/actsync/state"
)

// OpenState opens the state in dir for writing and tells log (if not nil),
// one line each, what it did about runs a killed process left unfinished.
// A memLimit other than "" caps DuckDB's memory (--memory-limit).
func OpenState(ctx context.Context, dir string, log io.Writer, memLimit string) (*state.State, error) {
	st, err := state.Open(ctx, dir)
	if err != nil {
		return nil, err
	}
	if memLimit != "" {
		if err := st.SetMemoryLimit(ctx, memLimit); err != nil {
			st.Close()
			return nil, fmt.Errorf("--memory-limit %s: %w", memLimit, err)
		}
	}
	if log != nil {
		for _, r := range st.Recovered {
			fmt.Fprintf(log, "actsync: %s\n", r)
		}
	}
	return st, nil
}

// CheckMemoryLimit refuses a --memory-limit DuckDB would not take, before
// anything is opened.
func CheckMemoryLimit(ctx context.Context, limit string) error {
	if limit == "" {
		return nil
	}
	if err := state.CheckMemoryLimit(ctx, limit); err != nil {
		return fmt.Errorf("--memory-limit %q is not a size DuckDB takes (2GB, 512MiB, 50%%): %w", limit, err)
	}
	return nil
}

// newState remembers whether a state directory was new (absent, or an empty
// directory) before a run opened it, so that a run failing before its
// commit leaves nothing behind: no directory a user did not have, holding
// an empty database, a lock file and empty snapshots/ and runs/.
type newState struct {
	dir  string
	root string // the topmost directory the open created; "" when dir existed
	new  bool
}

// noteState looks at dir before it is opened.
func noteState(dir string) newState {
	n := newState{dir: dir}
	entries, err := os.ReadDir(dir)
	switch {
	case err == nil:
		n.new = len(entries) == 0
	case errors.Is(err, fs.ErrNotExist):
		n.new = true
		n.root = filepath.Clean(dir)
		for {
			parent := filepath.Dir(n.root)
			if parent == n.root {
				break
			}
			if _, err := os.Stat(parent); err == nil || !errors.Is(err, fs.ErrNotExist) {
				break
			}
			n.root = parent
		}
	}
	return n
}

// discard removes what opening a new state created, after the run failed
// and the state was closed. It keeps everything when the state was not
// new, or when a run may have committed: a run report, or a staging
// journal (written just before a commit, see the state package), exists.
func (n newState) discard() {
	if !n.new {
		return
	}
	if reports, _ := os.ReadDir(filepath.Join(n.dir, state.RunsDir)); len(reports) > 0 {
		return
	}
	if journals, _ := filepath.Glob(filepath.Join(n.dir, ".staging", "*", "journal.json")); len(journals) > 0 {
		return
	}
	if n.root != "" {
		os.RemoveAll(n.root)
		return
	}
	entries, _ := os.ReadDir(n.dir)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(n.dir, e.Name()))
	}
}
