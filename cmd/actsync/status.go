package main

import (
	"context"
	"io"

	"github.com/actsync/actsync/stages/load"
)

const statusSynopsis = `Usage: actsync status [--state DIR] [--json] [--open]

Shows the last runs (when, counts, outcome) and the people by status and
reason. Read-only, except that --open writes the page it names if missing.`

const statusRunsSQL = `SELECT run_id, strftime(started_at, '%Y-%m-%d %H:%M:%S') AS started,
       round(epoch(finished_at) - epoch(started_at), 2) AS seconds, full_export AS full,
       rows_read AS read, synced, excluded, rejected, superseded,
       inserted, updated, deactivated, reactivated, people_active AS active, duplicate_groups AS dup_groups
FROM runs ORDER BY run_id DESC LIMIT 10`

const statusPeopleSQL = `SELECT status, coalesce(status_reason, '') AS reason, count(*) AS people
FROM people GROUP BY ALL ORDER BY status, reason`

func statusCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("status", statusSynopsis, stderr)
	state := fs.String("state", "./actsync-data", "state `DIR`")
	asJSON := fs.Bool("json", false, "print JSON lines instead of tables")
	openPage := fs.Bool("open", false, "print only the path of the latest run's report page, runs/<id>.html (writing it if missing)")
	if err := parse(fs, args); err != nil {
		return err
	}
	st, err := load.OpenReadOnly(ctx, *state)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := reportPending(ctx, st, stderr); err != nil {
		return err
	}
	if *openPage {
		return openRunPage(ctx, st, stdout)
	}
	format := "table"
	if *asJSON {
		format = "json"
	}
	for _, q := range []string{statusRunsSQL, statusPeopleSQL} {
		rows, err := st.Conn().QueryContext(ctx, q)
		if err != nil {
			return err
		}
		err = printRows(rows, format, stdout)
		rows.Close()
		if err != nil {
			return err
		}
		if format == "table" {
			io.WriteString(stdout, "\n")
		}
	}
	return nil
}
