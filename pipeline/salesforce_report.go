package pipeline

import (
	"fmt"
	"io"
)

// SalesforceCounts is the two-way reconciliation part of the run report:
// what was read, how tasks paired, what each side must apply,
// and the opt-outs. TaskActions counts salesforce/050_sf_task_pairs.sql's action per pair
// or lone task (sync, create_in_salesforce, too_old, before_sync_since, …).
type SalesforceCounts struct {
	Inputs     []Input          `json:"inputs"`
	Read       int64            `json:"read"`
	Rejected   int64            `json:"rejected"`
	RejectedBy map[string]int64 `json:"rejected_by"`

	ActionsTasks        int64            `json:"actions_tasks"`
	SalesforceTasks     int64            `json:"salesforce_tasks"`
	NotReminderTasks    int64            `json:"salesforce_tasks_not_reminders"` // emails, calls: one-way (R7), left alone
	PairedByLink        int64            `json:"paired_by_link"`
	PairedByKey         int64            `json:"paired_by_person_subject_due_date"`
	TasksCreateSF       int64            `json:"task_creates_to_salesforce"`
	TasksUpdateSF       int64            `json:"task_updates_to_salesforce"`
	TasksCreateActions  int64            `json:"task_creates_to_actions"`
	TasksUpdateActions  int64            `json:"task_updates_to_actions"`
	TasksDeleteActions  int64            `json:"task_deletes_to_actions"`
	TaskConflicts       int64            `json:"task_conflicts"`
	TaskActions         map[string]int64 `json:"task_actions"`
	ActionsUnsubscribes int64            `json:"actions_unsubscribes"`
	SalesforceOptedOut  int64            `json:"salesforce_opted_out_records"`
	OptoutsToSF         int64            `json:"optout_changes_to_salesforce"`
	OptoutsToActions    int64            `json:"optout_changes_to_actions"`
	OptoutsNoSFID       int64            `json:"optouts_no_salesforce_id"` // opted out, but neither contact nor lead id
	UnsubUnknownPerson  int64            `json:"actions_unsubscribes_person_unknown"`
	OptoutUnknownRecord int64            `json:"salesforce_optouts_record_unknown"` // opted-out Lead/Contact of no person
	MarketoNotInSF      int64            `json:"marketo_unsubscribed_not_in_salesforce"`
	TaskSyncSince       string           `json:"task_sync_since,omitempty"`
	AsOf                string           `json:"as_of"`
}

// summary writes the two-way lines of Report.Summary.
func (c *SalesforceCounts) summary(w io.Writer) {
	fmt.Fprintf(w, "  salesforce two-way: %d read from %d inputs, rejected %d%s\n",
		c.Read, len(c.Inputs), c.Rejected, byReason(c.RejectedBy))
	fmt.Fprintf(w, "  tasks: %d SIA, %d Salesforce reminders (%d paired by link, %d by person+subject+due date); to Salesforce %d create, %d update; to SIA %d create, %d update, %d delete; %d conflicts%s\n",
		c.ActionsTasks, c.SalesforceTasks-c.NotReminderTasks, c.PairedByLink, c.PairedByKey,
		c.TasksCreateSF, c.TasksUpdateSF, c.TasksCreateActions, c.TasksUpdateActions, c.TasksDeleteActions, c.TaskConflicts, byReason(c.TaskActions))
	fmt.Fprintf(w, "  opt-outs: %d to Salesforce, %d to SIA (%d without a Salesforce id); %d unsubscribed in Marketo but not yet in Salesforce\n",
		c.OptoutsToSF, c.OptoutsToActions, c.OptoutsNoSFID, c.MarketoNotInSF)
}
