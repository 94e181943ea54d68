package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/actsync/actsync/state"
	"github.com/actsync/actsync/sync"
)

const statusSynopsis = `Usage: actsync status [--state DIR] [--json] [--open]

Shows anything interrupted (a run killed after its commit, which the next
run completes), the last ten runs (when, as-of time, inputs, counts,
duration, outcome), the people by status and reason, and the duplicate
email groups of the latest run by size (counts only). Read-only, except
that --open writes the page it names if missing.`

func statusCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("status", statusSynopsis, stderr)
	stateDir := fs.String("state", "./actsync-data", "state `DIR`")
	asJSON := fs.Bool("json", false, "print JSON lines instead of tables")
	openPage := fs.Bool("open", false, "print only the path of the latest run's report page, runs/<id>.html (writing it if missing)")
	if err := parse(fs, args); err != nil {
		return err
	}
	st, err := state.OpenReadOnly(ctx, *stateDir)
	if err != nil {
		return err
	}
	defer st.Close()
	reportMarketoPending(*stateDir, stderr)
	if *openPage {
		return sync.OpenRunPage(ctx, st, stdout)
	}
	// Interrupted runs: one line each on stderr, and a section in --json.
	pending, err := st.Pending(ctx)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	for _, p := range pending {
		fmt.Fprintf(stderr, "actsync: %s\n", p)
		if *asJSON {
			if err := enc.Encode(map[string]any{"section": "interrupted", "run_id": p.RunID, "committed": p.Committed, "what": p.String()}); err != nil {
				return err
			}
		}
	}
	sections, err := st.Status(ctx)
	if err != nil {
		return err
	}
	for _, sec := range sections {
		if *asJSON {
			err = printTable(sec.Table, "json", stdout, map[string]any{"section": sec.Name})
		} else {
			fmt.Fprintln(stdout, sec.Title)
			err = printTable(sec.Table, "table", stdout, nil)
			fmt.Fprintln(stdout)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
