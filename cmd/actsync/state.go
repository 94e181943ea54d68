package main

import (
	"context"
	"fmt"
	"io"

	"github.com/actsync/actsync/stages/load"
)

// openState opens the state in dir for writing and tells log (if not nil),
// one line each, what it did about runs a killed process left unfinished.
// A memLimit other than "" caps DuckDB's memory (--memory-limit).
func openState(ctx context.Context, dir string, log io.Writer, memLimit string) (*load.State, error) {
	st, err := load.Open(ctx, dir)
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

// memoryLimitUsage is the --memory-limit flag's help, shared by run and
// backfill.
const memoryLimitUsage = "cap DuckDB's memory at `SIZE` (e.g. 2GB; DuckDB spills to disk above it, in the state directory); default DuckDB's, 80% of RAM. Go's own memory comes on top"

// checkMemoryLimit refuses a --memory-limit DuckDB would not take, before
// anything is opened.
func checkMemoryLimit(ctx context.Context, limit string) error {
	if limit == "" {
		return nil
	}
	if err := load.CheckMemoryLimit(ctx, limit); err != nil {
		return fmt.Errorf("--memory-limit %q is not a size DuckDB takes (2GB, 512MiB, 50%%): %w", limit, err)
	}
	return nil
}
