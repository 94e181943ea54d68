package pipeline

import (
	"fmt"
	"io"
)

// ActivityCounts is the activities part of the run report: where
// every activity row went, and what reconciliation produced. Rows balance:
//
//	Read = Rejected + Repeated + AlreadyLoaded + Loaded
//	Loaded = Matched + PersonInactive + PersonUnknown + AmbiguousEmail
type ActivityCounts struct {
	Inputs        []Input          `json:"inputs"`
	Read          int64            `json:"read"`
	Rejected      int64            `json:"rejected"`
	RejectedBy    map[string]int64 `json:"rejected_by"`
	Repeated      int64            `json:"repeated_in_run"` // same marketoGUID again in this run's inputs
	AlreadyLoaded int64            `json:"already_loaded"`  // marketoGUID loaded by an earlier run: a no-op
	Loaded        int64            `json:"loaded"`

	Matched        int64 `json:"matched"`
	PersonInactive int64 `json:"person_inactive"`
	PersonUnknown  int64 `json:"person_unknown"`
	AmbiguousEmail int64 `json:"ambiguous_email"`

	UnknownTypes int64            `json:"unknown_types"`
	ByCategory   map[string]int64 `json:"by_category"`
	BySalesKind  map[string]int64 `json:"by_sales_kind"`

	SalesLog              int64 `json:"sales_activity_log"`
	Tasks                 int64 `json:"salesforce_tasks"`
	TasksNoSalesforceID   int64 `json:"tasks_skipped_no_salesforce_id"`  // loggable activities of people with neither contact nor lead id
	PeopleNoSalesforceID  int64 `json:"people_skipped_no_salesforce_id"` // those people
	UnsubscribeViolations int64 `json:"unsubscribe_violations"`          // sent after a dated unsubscribe
	UnsubscribeUnknown    int64 `json:"unsubscribe_unknown_timing"`      // sent to an unsubscribed person without dated evidence
	Merged                int64 `json:"deactivated_merged"`
	Deleted               int64 `json:"deactivated_deleted_in_marketo"`
	LifecycleNotApplied   int64 `json:"lifecycle_not_applied"` // unknown person, already inactive, or superseded
	SummaryPeople         int64 `json:"summary_people"`
}

// Balanced reports whether the activity row accounting closes.
func (a *ActivityCounts) Balanced() bool {
	return a.Read == a.Rejected+a.Repeated+a.AlreadyLoaded+a.Loaded &&
		a.Loaded == a.Matched+a.PersonInactive+a.PersonUnknown+a.AmbiguousEmail
}

// summary writes the activity lines of Report.Summary.
func (a *ActivityCounts) summary(w io.Writer) {
	fmt.Fprintf(w, "  activities: %d read from %d inputs, %d new (matched %d, person_inactive %d, person_unknown %d, ambiguous_email %d), %d already loaded, %d repeated, rejected %d%s\n",
		a.Read, len(a.Inputs), a.Loaded, a.Matched, a.PersonInactive, a.PersonUnknown, a.AmbiguousEmail,
		a.AlreadyLoaded, a.Repeated, a.Rejected, byReason(a.RejectedBy))
	fmt.Fprintf(w, "  reconciled: %d sales log, %d Salesforce tasks (%d skipped: no contact or lead id), %d unsubscribe violations (+%d unknown timing), %d merged, %d deleted\n",
		a.SalesLog, a.Tasks, a.TasksNoSalesforceID, a.UnsubscribeViolations, a.UnsubscribeUnknown, a.Merged, a.Deleted)
}
