package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

const extractSynopsis = `Usage: actsync extract --people marketo: [--activities marketo:] [--activity-types FILE]
                       [--since TIME] [--until TIME] --out DIR
       actsync extract --plan --since TIME [--until TIME] --people marketo: [--activities marketo:]
                       [--expect-leads N] [--expect-activities N] [--quota-mb MB] [--out DIR]

Lands Marketo exports into DIR without loading them: the Bulk Lead Extract
(people updated in the range: the 13 synced fields, both owner ids,
sfdcType, unsubscribed, updatedAt) under DIR/people/, the Bulk Activity
Extract (the activity types actsync reconciles) and the deleted leads (as
Delete Lead, type 37, activities) under DIR/activities/. They are ordinary
inputs: actsync run --people DIR/people --activities DIR/activities.

The range is cut into windows of at most 31 days, one export each. Every
export is recorded in DIR/.marketo-jobs.json as soon as Marketo gives it an
id, so a stop (the 500 MB daily export quota, an error, Ctrl-C) loses
nothing: the same command resumes, reusing exports that are finished, and
the next extract into DIR starts where the last range ended (--since is
needed only the first time). Downloads resume where they were cut and are
verified (size, sha256, record count) before they land.

--plan prints how many days the range would take under the daily quota and
does nothing else (no credentials, no network).

Configuration comes from the environment only, never from flags:
MARKETO_BASE_URL (https://<munchkin-id>.mktorest.com), MARKETO_CLIENT_ID and
MARKETO_CLIENT_SECRET (a LaunchPoint API-only service with read access to
leads and activities).

Exit status: 0 when every export landed, 1 with a one-line cause on failure,
2 on bad usage, 3 when the daily export quota stopped it (run the same
command after midnight US Central to resume).`

func extractCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("extract", extractSynopsis, stderr)
	var people, acts multiFlag
	fs.Var(&people, "people", "marketo: to extract people (the only source extract knows)")
	fs.Var(&acts, "activities", "marketo: to extract activities")
	typesFile := fs.String("activity-types", "", "`FILE` holding the body of GET /rest/v1/activities/types.json: its sales types are exported too")
	out := fs.String("out", "", "landing `DIR` (created): the files and the job ledger")
	mk := addMarketoFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	usageErr := func(msg string) error {
		fmt.Fprintf(stderr, "actsync extract: %s\n", msg)
		fs.Usage()
		return errUsage
	}
	used, err := mk.used((*[]string)(&people), (*[]string)(&acts))
	switch {
	case fs.NArg() > 0:
		return usageErr("takes no positional arguments")
	case err != nil:
		return usageErr(err.Error())
	case !used:
		return usageErr("--people marketo: or --activities marketo: is required")
	case len(people) > 0 || len(acts) > 0:
		return usageErr("extract reads only marketo:; give files to actsync run")
	case *out == "" && !mk.plan:
		return usageErr("--out is required")
	}
	if mk.plan {
		return mk.printPlan(ctx, *out, stdout)
	}
	if isTerminal(stderr) {
		mk.progress = stderr
	}
	landed, err := mk.land(ctx, *out, *typesFile, stderr)
	if err != nil {
		return err
	}
	if err := commitExtract(landed); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "landed %d export(s) (%d reused) up to %s in %s\n", landed.Exports, landed.Reused, landed.Until.Format(time.RFC3339), *out)
	for _, p := range append(landed.People, landed.Activities...) {
		fmt.Fprintln(stdout, p)
	}
	return nil
}
