package main

import (
	"flag"

	"github.com/actsync/actsync/sync"
)

// salesforceSynopsis is the part of `actsync run --help` about the two-way
// reconciliation.
const salesforceSynopsis = `

With --actions-tasks and --salesforce-tasks (and --task-sync-since) it
reconciles SIA reminder tasks with Salesforce Tasks both ways; with
--actions-unsubscribes and/or --salesforce-optouts it reconciles opt-outs
(HasOptedOutOfEmail) between SIA and Salesforce. The changes each side must
apply land in task_changes_to_salesforce, task_changes_to_actions,
task_conflicts, optout_changes_to_salesforce and optout_changes_to_actions;
a rerun with the same inputs produces none. Nothing is written to Marketo.
--as-of ends the 24-hour window of Salesforce tasks to pull into SIA and the
15-day window of Salesforce deletions to apply.`

// registerSalesforceFlags adds the two-way flags of `actsync run` to fs.
func registerSalesforceFlags(fs *flag.FlagSet, c *sync.SalesforceConfig) {
	fs.Var((*multiFlag)(&c.ActionsTasks), "actions-tasks", "SIA reminder task export `PATH` (CSV or JSON Lines; file, directory or glob); repeatable")
	fs.Var((*multiFlag)(&c.SalesforceTasks), "salesforce-tasks", "Salesforce Task export `PATH` (Id, WhoId, WhatId, OwnerId, Subject, ActivityDate, Status, IsClosed, TaskSubtype, LastModifiedDate, IsDeleted); repeatable")
	fs.Var((*multiFlag)(&c.ActionsUnsubscribes), "actions-unsubscribes", "SIA unsubscribe export `PATH` (marketo_id or email, unsubscribed, unsubscribed_at); repeatable")
	fs.Var((*multiFlag)(&c.SalesforceOptouts), "salesforce-optouts", "Salesforce Lead/Contact export `PATH` (Id, Email, HasOptedOutOfEmail, LastModifiedDate); repeatable")
	fs.StringVar(&c.TaskSyncSince, "task-sync-since", "", "`TIME` reminder task sync was enabled (RFC 3339 or a date): older unpaired SIA tasks are not created in Salesforce; required with task inputs")
}
