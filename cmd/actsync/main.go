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
	"syscall"
)

func main() {
	// Everything actsync creates holds personal data or derives from it:
	// the state, DuckDB's own files (database, WAL, temp), snapshots,
	// spill files. A umask of 077 makes all of them owner-only, including
	// the files DuckDB creates itself; state.Open also tightens the modes of
	// an existing state, for library users and states made before.
	syscall.Umask(0o077)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
