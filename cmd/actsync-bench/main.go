// Command actsync-bench times, side by side, an initial `actsync run` and a
// plain-DuckDB-SQL baseline doing the same people work on the same
// synthetic export, each in a child process so that its peak RSS can be
// read, and prints wall time, people/s, peak RSS, their ratio and actsync's
// per-stage breakdown. Run `actsync-bench --help` for the flags.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
