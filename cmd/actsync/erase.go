package main

import (
	"context"
	"fmt"
	"github.com/actsync/actsync/sync"
	"io"
	"strconv"
)

const eraseSynopsis = `Usage: actsync erase [--state DIR] --marketo-id N [--marketo-id N ...]

Removes every trace of the people with these Marketo ids from the state: their
rows in people, changes, exclusions and the activity tables, the rejects read
from their input lines or carrying their id or email, their ids in
duplicate_emails, and the same rows in every Parquet snapshot (each affected
file is rewritten). Records the erasure in the erasures table with counts and
a salted hash per id, never the data. Takes the writer lock like run.`

func eraseCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("erase", eraseSynopsis, stderr)
	state := fs.String("state", "./actsync-data", "state `DIR`")
	var raw multiFlag
	fs.Var(&raw, "marketo-id", "Marketo id `N` of a person to erase; repeatable")
	if err := parse(fs, args); err != nil {
		return err
	}
	var ids []int64
	for _, r := range raw {
		id, err := strconv.ParseInt(r, 10, 64)
		if err != nil || id <= 0 {
			fmt.Fprintf(stderr, "actsync erase: --marketo-id %q is not a positive integer\n", r)
			return errUsage
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "actsync erase: at least one --marketo-id and no positional arguments")
		fs.Usage()
		return errUsage
	}
	st, err := sync.OpenState(ctx, *state, stderr, "")
	if err != nil {
		return err
	}
	defer st.Close()
	if err := discardMarketoLanded(*state); err != nil {
		return err
	}
	res, err := st.Erase(ctx, ids)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "erased %d of %d requested people: %d table rows, %d snapshot files rewritten; recorded in erasures\n",
		res.People, len(ids), res.Rows, res.SnapshotFiles)
	return st.Close()
}
