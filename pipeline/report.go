package pipeline

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Input describes one input file of a run once it has been read.
type Input struct {
	Path    string   `json:"path"`
	Format  string   `json:"format"`
	Gzip    bool     `json:"gzip,omitempty"`
	SHA256  string   `json:"sha256"`
	Bytes   int64    `json:"bytes"`
	Rows    int64    `json:"rows"`
	Unknown []string `json:"unknown_columns,omitempty"`
	// Warnings are problems with the input that did not stop the run, one
	// line each (a JSON export without any owner field).
	Warnings []string `json:"warnings,omitempty"`
}

// SkippedFile is a file found under a directory input and not read.
type SkippedFile struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Rows accounts for every input row: Read = Synced + Excluded + Rejected +
// Superseded + Stale. Superseded rows lost to a newer row of the same run;
// stale rows lost to newer data already in the state (they are older, by
// updatedAt, than what the state holds for that person) and changed
// nothing. Synced and Excluded count only rows that were applied.
type Rows struct {
	Read         int64            `json:"read"`
	Synced       int64            `json:"synced"`
	Excluded     int64            `json:"excluded"`
	Rejected     int64            `json:"rejected"`
	Superseded   int64            `json:"superseded"`
	Stale        int64            `json:"stale"`
	ExcludedBy   map[string]int64 `json:"excluded_by"`
	RejectedBy   map[string]int64 `json:"rejected_by"`
	FieldRejects map[string]int64 `json:"field_rejects"`
}

// Balanced reports whether the row accounting closes.
func (r Rows) Balanced() bool {
	return r.Read == r.Synced+r.Excluded+r.Rejected+r.Superseded+r.Stale
}

// Changes counts what the load did to the people table.
type Changes struct {
	Insert     int64 `json:"insert"`
	Update     int64 `json:"update"`
	Deactivate int64 `json:"deactivate"`
	Reactivate int64 `json:"reactivate"`
}

// Total is the number of change rows of the run.
func (c Changes) Total() int64 { return c.Insert + c.Update + c.Deactivate + c.Reactivate }

// StageTiming is the wall time a stage spent and the rows it passed on.
type StageTiming struct {
	Stage   string  `json:"stage"`
	Seconds float64 `json:"seconds"`
	RowsOut int64   `json:"rows_out"`
}

// AddStage appends the timing of a stage that passes on no rows.
func (r *Report) AddStage(stage string, d time.Duration) {
	r.Stages = append(r.Stages, StageTiming{Stage: stage, Seconds: d.Seconds()})
}

// Report is the run report: written to runs/<id>.json and the runs table,
// printed with --json. It holds counts, ids of files and hashes, never
// personal data.
type Report struct {
	RunID      int64     `json:"run_id"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	// AsOf is the time the run's data describes: the start time for a
	// nightly run, the export's date for a backfill. A --full run
	// deactivates only people the state last saw updated at or before it.
	AsOf      time.Time     `json:"as_of"`
	Full      bool          `json:"full"`
	Inputs    []Input       `json:"inputs"`
	Rows      Rows          `json:"rows"`
	Changes   Changes       `json:"changes"`
	Active    int64         `json:"people_active"`
	Inactive  int64         `json:"people_inactive"`
	DupGroups int64         `json:"duplicate_email_groups"`
	DupPeople int64         `json:"duplicate_email_people"`
	Stages    []StageTiming `json:"stages"`
	// Skipped are the files directory inputs held that the run did not
	// read (not an export by extension or header), so that none goes
	// unseen.
	Skipped []SkippedFile `json:"skipped_files,omitempty"`

	Activities *ActivityCounts   `json:"activities,omitempty"`
	Salesforce *SalesforceCounts `json:"salesforce,omitempty"`

	// DryRun is set when the run was a dry run: it was rolled back, and
	// the counts above are what it would have done.
	DryRun *DryRun `json:"dry_run,omitempty"`
}

// DryRun previews a run that was rolled back: the first Marketo ids (at
// most DryRunSample, ascending) of each change op.
type DryRun struct {
	FirstIDs map[string][]int64 `json:"first_marketo_ids"`
}

// DryRunSample is how many ids per op a dry run lists.
const DryRunSample = 10

// Summary writes the human-readable run summary.
func (r *Report) Summary(w io.Writer) {
	secs := r.FinishedAt.Sub(r.StartedAt).Seconds()
	if r.DryRun != nil {
		fmt.Fprintf(w, "dry run (rolled back, nothing written): ")
	}
	fmt.Fprintf(w, "run %d: %d inputs, %d rows read in %.2fs\n", r.RunID, len(r.Inputs), r.Rows.Read, secs)
	fmt.Fprintf(w, "  synced %d, excluded %d%s, rejected %d%s, superseded %d",
		r.Rows.Synced, r.Rows.Excluded, byReason(r.Rows.ExcludedBy), r.Rows.Rejected, byReason(r.Rows.RejectedBy), r.Rows.Superseded)
	if r.Rows.Stale > 0 {
		fmt.Fprintf(w, ", stale %d (older than the state: ignored)", r.Rows.Stale)
	}
	fmt.Fprintln(w)
	if len(r.Rows.FieldRejects) > 0 {
		fmt.Fprintf(w, "  field rejects%s (value dropped, person synced)\n", byReason(r.Rows.FieldRejects))
	}
	if r.Changes.Total() == 0 {
		fmt.Fprintf(w, "  no changes: the state already matched these inputs\n")
	} else {
		fmt.Fprintf(w, "  changes: %d inserted, %d updated, %d deactivated, %d reactivated\n",
			r.Changes.Insert, r.Changes.Update, r.Changes.Deactivate, r.Changes.Reactivate)
	}
	fmt.Fprintf(w, "  people: %d active, %d inactive; %d duplicate email groups (%d people)\n",
		r.Active, r.Inactive, r.DupGroups, r.DupPeople)
	if r.DryRun != nil {
		for _, op := range []string{"insert", "update", "deactivate", "reactivate"} {
			if ids := r.DryRun.FirstIDs[op]; len(ids) > 0 {
				fmt.Fprintf(w, "  would %s marketo_id %s\n", op, joinIDs(ids))
			}
		}
	}
	if r.Activities != nil {
		r.Activities.summary(w)
	}
	if r.Salesforce != nil {
		r.Salesforce.summary(w)
	}
	for _, in := range r.Inputs {
		if len(in.Unknown) > 0 {
			fmt.Fprintf(w, "  %s: ignored columns %s\n", in.Path, strings.Join(in.Unknown, ", "))
		}
		for _, warning := range in.Warnings {
			fmt.Fprintf(w, "  %s: warning: %s\n", in.Path, warning)
		}
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(w, "  %s: skipped, %s\n", s.Path, s.Reason)
	}
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ", ")
}

func byReason(m map[string]int64) string {
	if len(m) == 0 {
		return ""
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// RunIDString is the run id as used in file names.
func (r *Report) RunIDString() string { return strconv.FormatInt(r.RunID, 10) }
