package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

const usage = `actsync syncs sales-ready people from Marketo Engage exports into a
Sales Insight Actions database (DuckDB) with Parquet snapshots.

Usage:
  actsync run     [--people PATH ...] [--activities PATH ...] [--activity-types FILE] [--state DIR] [--full] [--json]
                  [--max-deactivate PCT] [--dry-run] [--as-of TIME] [--keep-snapshots N] [--memory-limit SIZE]
                  [--actions-tasks PATH --salesforce-tasks PATH --task-sync-since TIME]
                  [--actions-unsubscribes PATH] [--salesforce-optouts PATH]
  actsync backfill [--state DIR] [--full] [--max-deactivate PCT] [--keep-snapshots N]
                  [--activity-types FILE] [--memory-limit SIZE] [--list] [--json] DIR
  actsync status  [--state DIR] [--json] [--open]
  actsync query   [--state DIR] [--format table|csv|json|parquet] SQL
  actsync erase   [--state DIR] --marketo-id N [--marketo-id N ...]
  actsync generate --people N [--activities M] [--seed S] --out DIR
  actsync extract --people marketo: [--activities marketo:] [--since TIME] [--plan] --out DIR

Run 'actsync COMMAND --help' for the flags of a command.
`

// run is the whole program: it parses args, runs one command and returns
// the exit code. Everything it prints goes to stdout or stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "run":
		err = runCmd(ctx, rest, stdout, stderr)
	case "backfill":
		err = backfillCmd(ctx, rest, stdout, stderr)
	case "status":
		err = statusCmd(ctx, rest, stdout, stderr)
	case "query":
		err = queryCmd(ctx, rest, stdout, stderr)
	case "erase":
		err = eraseCmd(ctx, rest, stdout, stderr)
	case "generate":
		err = generateCmd(ctx, rest, stdout, stderr)
	case "extract":
		err = extractCmd(ctx, rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "actsync: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case isResumable(err): // the Marketo export quota: the same command resumes
		fmt.Fprintf(stderr, "actsync: %s\n", oneLine(err.Error()))
		return 3
	default:
		fmt.Fprintf(stderr, "actsync: %s\n", oneLine(err.Error()))
		return 1
	}
}

// errUsage marks a command-line mistake that has already been explained.
var errUsage = errors.New("usage")

// newFlags returns a FlagSet that prints its usage to stderr and returns
// its errors instead of exiting.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args, mapping a bad flag to errUsage.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

// multiFlag collects a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// defaultMemoryLimit is DuckDB's memory limit when --memory-limit is not
// given: with the Go heap's soft limit (main) it keeps a first sync of 10M
// people at 1.1-1.3 GiB of peak RSS, where DuckDB's own default (80% of
// RAM) let it reach 3 GB (docs/performance.md).
const defaultMemoryLimit = "500MB"

// memoryLimitUsage is the --memory-limit flag's help, shared by run and
// backfill.
const memoryLimitUsage = "cap DuckDB's memory at `SIZE` (e.g. 2GB or 50%; DuckDB spills to disk above it, in the state directory). Go's own heap comes on top, soft-capped at 640MiB unless GOMEMLIMIT is set"

// oneLine keeps an error message on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
