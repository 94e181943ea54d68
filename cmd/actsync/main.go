// Command actsync syncs sales-ready people from Marketo Engage exports into
// a Sales Insight Actions database, as an auditable batch pipeline. This
// package is the command line: it parses flags into a sync.Config, runs it
// (package sync does the run), prints the report and maps errors to exit
// codes.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// defaultGoMemoryLimit is the Go heap's soft limit when GOMEMLIMIT is not
// set (see main).
const defaultGoMemoryLimit = 640 << 20

func main() {
	// Everything actsync creates holds personal data or derives from it:
	// the state, DuckDB's own files (database, WAL, temp), snapshots,
	// spill files. A umask of 077 makes all of them owner-only, including
	// the files DuckDB creates itself; state.Open also tightens the modes of
	// an existing state, for library users and states made before.
	syscall.Umask(0o077)
	// A soft cap on the Go heap unless GOMEMLIMIT says otherwise: with the
	// default --memory-limit it keeps a 10M-person first sync at 1.1-1.3
	// GiB of peak RSS. The filter's winner index is the largest Go
	// allocation (about 57 bytes a person); above the cap the runtime
	// collects more often, never fails.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultGoMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
