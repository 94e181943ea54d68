package salesforce

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// kind is how a column's text is parsed and stored.
type kind int

const (
	kString kind = iota
	kInt         // positive integer (a Marketo id)
	kBool        // true/false, 1/0, yes/no
	kDate        // a date; a timestamp keeps its UTC date
	kTime        // a timestamp, stored in UTC
	kSFID        // a Salesforce id, stored in its 18-character form
)

// field is one column of an input: its name in the staged schema, the
// normalised header spellings that feed it (first non-empty wins), and
// whether a row without a value is rejected.
type field struct {
	name     string
	kind     kind
	aliases  []string
	required bool // a row without a value is rejected (missing_<name>)
	header   bool // a file without any of the aliases fails the run
	dflt     string
}

// Input is the layout of one of the four inputs.
type Input struct {
	Name   string // the flag without dashes, and the staged file's name
	Format string // prefix of the inputs.format column
	fields []field
	// person: a row needs a value in at least one of these (missing_person).
	person []string
	// check is a row rule beyond the fields: it returns a reject reason and
	// detail, or "".
	check  func(vals []cell) (string, string)
	schema *arrow.Schema
}

// Schema is the staged layout: the fields, then source_file and
// source_line.
func (in *Input) Schema() *arrow.Schema { return in.schema }

func (in *Input) col(name string) int {
	for i, f := range in.fields {
		if f.name == name {
			return i
		}
	}
	panic("salesforce: no column " + name)
}

func newInput(name, format string, fields []field, person []string, check func([]cell) (string, string)) *Input {
	in := &Input{Name: name, Format: format, fields: fields, person: person, check: check}
	var af []arrow.Field
	for _, f := range fields {
		var t arrow.DataType
		switch f.kind {
		case kInt:
			t = arrow.PrimitiveTypes.Int64
		case kBool:
			t = arrow.FixedWidthTypes.Boolean
		case kDate:
			t = arrow.FixedWidthTypes.Date32
		case kTime:
			t = &arrow.TimestampType{Unit: arrow.Microsecond}
		default:
			t = arrow.BinaryTypes.String
		}
		af = append(af, arrow.Field{Name: f.name, Type: t, Nullable: !f.required})
	}
	af = append(af,
		arrow.Field{Name: "source_file", Type: arrow.BinaryTypes.String},
		arrow.Field{Name: "source_line", Type: arrow.PrimitiveTypes.Int64})
	in.schema = arrow.NewSchema(af, nil)
	return in
}

// The four two-way inputs. Headers are matched like the people exports:
// case-insensitively, ignoring spaces, '_' and '-'.
var (
	// ActionsTasks is the SIA reminder task export.
	ActionsTasks = newInput("actions_tasks", "actions_tasks", []field{
		{name: "task_id", kind: kString, aliases: []string{"taskid", "id", "actionstaskid"}, required: true, header: true},
		{name: "marketo_id", kind: kInt, aliases: []string{"marketoid", "leadid", "personid", "personmarketoid"}},
		{name: "email", kind: kString, aliases: []string{"email", "emailaddress", "personemail"}},
		{name: "subject", kind: kString, aliases: []string{"subject", "name", "title"}, required: true, header: true},
		{name: "due_date", kind: kDate, aliases: []string{"duedate", "due", "activitydate"}},
		{name: "status", kind: kString, aliases: []string{"status"}},
		{name: "completed", kind: kBool, aliases: []string{"completed", "iscompleted", "done"}},
		{name: "created_at", kind: kTime, aliases: []string{"createdat", "created", "createddate"}},
		{name: "updated_at", kind: kTime, aliases: []string{"updatedat", "modifiedat", "lastmodifieddate", "updated"}, required: true, header: true},
		{name: "salesforce_task_id", kind: kSFID, aliases: []string{"salesforcetaskid", "sfdctaskid", "sftaskid", "crmtaskid"}},
	}, []string{"marketo_id", "email"}, nil)

	// SalesforceTasks is a Salesforce Task export (SOQL queryAll, so that
	// deleted tasks come with IsDeleted = true).
	SalesforceTasks = newInput("salesforce_tasks", "salesforce_tasks", []field{
		{name: "id", kind: kSFID, aliases: []string{"id"}, required: true, header: true},
		{name: "who_id", kind: kSFID, aliases: []string{"whoid"}, header: true},
		{name: "subject", kind: kString, aliases: []string{"subject"}, header: true},
		{name: "activity_date", kind: kDate, aliases: []string{"activitydate"}},
		{name: "status", kind: kString, aliases: []string{"status"}},
		{name: "is_closed", kind: kBool, aliases: []string{"isclosed"}, dflt: "false"},
		{name: "task_subtype", kind: kString, aliases: []string{"tasksubtype"}},
		{name: "last_modified_date", kind: kTime, aliases: []string{"lastmodifieddate", "systemmodstamp"}, required: true, header: true},
		{name: "is_deleted", kind: kBool, aliases: []string{"isdeleted"}, dflt: "false", header: true},
	}, nil, checkTaskID)

	// ActionsUnsubscribes is the SIA unsubscribe export: one row per person
	// (by Marketo id, else email) unsubscribed in SIA.
	ActionsUnsubscribes = newInput("actions_unsubscribes", "actions_unsubscribes", []field{
		{name: "marketo_id", kind: kInt, aliases: []string{"marketoid", "leadid", "personid", "personmarketoid"}},
		{name: "email", kind: kString, aliases: []string{"email", "emailaddress", "personemail"}},
		{name: "unsubscribed", kind: kBool, aliases: []string{"unsubscribed", "isunsubscribed", "optedout"}, dflt: "true"},
	}, []string{"marketo_id", "email"}, nil)

	// SalesforceOptouts is a Lead and/or Contact export.
	SalesforceOptouts = newInput("salesforce_optouts", "salesforce_optouts", []field{
		{name: "id", kind: kSFID, aliases: []string{"id"}, required: true, header: true},
		{name: "email", kind: kString, aliases: []string{"email"}},
		{name: "has_opted_out_of_email", kind: kBool, aliases: []string{"hasoptedoutofemail"}, required: true, header: true},
		{name: "last_modified_date", kind: kTime, aliases: []string{"lastmodifieddate", "systemmodstamp"}},
	}, nil, checkLeadOrContact)

	// Inputs are the four, in the order they are staged and recorded.
	Inputs = []*Input{ActionsTasks, SalesforceTasks, ActionsUnsubscribes, SalesforceOptouts}
)

// Reject reasons beyond missing_<field> and invalid_<field>.
const (
	ReasonMalformedRow     = "malformed_row"
	ReasonMissingPerson    = "missing_person"
	ReasonNotLeadOrContact = "not_lead_or_contact"
	ReasonNotTask          = "not_a_task_id"
)

// checkTaskID rejects a Task export row whose Id is not a Task (00T).
func checkTaskID(vals []cell) (string, string) {
	if id := vals[0].s; len(id) >= 3 && id[:3] != "00T" {
		return ReasonNotTask, "Id " + id[:3] + "… is not a Task id (00T)"
	}
	return "", ""
}

// checkLeadOrContact rejects an opt-out row whose Id is neither a Lead
// (00Q) nor a Contact (003): HasOptedOutOfEmail lives on those two.
func checkLeadOrContact(vals []cell) (string, string) {
	if id := vals[0].s; len(id) >= 3 && id[:3] != "00Q" && id[:3] != "003" {
		return ReasonNotLeadOrContact, "Id " + id[:3] + "… is neither a Lead (00Q) nor a Contact (003)"
	}
	return "", ""
}
