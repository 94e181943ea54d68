package pipeline

import "github.com/apache/arrow-go/v18/arrow"

// Column names shared by every stage. The 13 synced fields (DESIGN R3) keep
// the snake_case names of the people table.
const (
	ColMarketoID         = "marketo_id"
	ColFirstName         = "first_name"
	ColLastName          = "last_name"
	ColEmail             = "email"
	ColPhone             = "phone"
	ColCompany           = "company"
	ColTitle             = "title"
	ColLinkedInURL       = "linkedin_url"
	ColSource            = "source"
	ColSFDCLeadID        = "sfdc_lead_id"
	ColSFDCContactID     = "sfdc_contact_id"
	ColSFDCAccountID     = "sfdc_account_id"
	ColSFDCOpportunityID = "sfdc_opportunity_id"
	ColSalesOwnerID      = "sales_owner_id"
	ColSFDCType          = "sfdc_type"
	ColUnsubscribed      = "unsubscribed"
	ColUpdatedAt         = "updated_at"
	ColCreatedAt         = "created_at"
	ColFile              = "source_file"
	ColLine              = "source_line"

	// Columns that only the map stage produces.
	ColMarketoUnsubscribed = "marketo_unsubscribed"
	ColMarketoUpdatedAt    = "marketo_updated_at"
	ColEmailKey            = "email_key"
)

// SyncedFields are the 12 text fields synced besides marketo_id, in the
// order of the people table. Together with marketo_id they are DESIGN R3's 13.
var SyncedFields = []string{
	ColFirstName, ColLastName, ColEmail, ColPhone, ColCompany, ColTitle,
	ColLinkedInURL, ColSource,
	ColSFDCLeadID, ColSFDCContactID, ColSFDCAccountID, ColSFDCOpportunityID,
}

// SFDCIDFields are the synced fields that hold Salesforce record ids.
var SFDCIDFields = []string{ColSFDCLeadID, ColSFDCContactID, ColSFDCAccountID, ColSFDCOpportunityID}

// RawTextFields are the text columns extract produces after marketo_id, in
// schema order: the synced fields, then the side attributes that filter and
// map read.
var RawTextFields = append(append([]string(nil), SyncedFields...),
	ColSalesOwnerID, ColSFDCType, ColUnsubscribed, ColUpdatedAt, ColCreatedAt)

// RawSchema is what extract yields: one row per input row that has a valid
// Marketo id. Text values are trimmed and NULL where the export held an
// empty value or the literal "null". source_file indexes the run's inputs;
// source_line is the 1-based line (CSV: the line the record starts on; JSON
// Lines: the line; Parquet: the row number).
var RawSchema = func() *arrow.Schema {
	fields := []arrow.Field{{Name: ColMarketoID, Type: arrow.PrimitiveTypes.Int64}}
	for _, name := range RawTextFields {
		fields = append(fields, arrow.Field{Name: name, Type: arrow.BinaryTypes.String, Nullable: true})
	}
	fields = append(fields,
		arrow.Field{Name: ColFile, Type: arrow.PrimitiveTypes.Int32},
		arrow.Field{Name: ColLine, Type: arrow.PrimitiveTypes.Int64},
	)
	return arrow.NewSchema(fields, nil)
}()

// RawIndex returns the column index of name in RawSchema; it panics on an
// unknown name, which is a programming error.
func RawIndex(name string) int {
	idx := RawSchema.FieldIndices(name)
	if len(idx) != 1 {
		panic("pipeline: no raw column " + name)
	}
	return idx[0]
}

// PersonSchema is what map yields and load stores: the 13 synced fields,
// typed side attributes and provenance. dedupe appends email_key.
var PersonSchema = func() *arrow.Schema {
	fields := []arrow.Field{{Name: ColMarketoID, Type: arrow.PrimitiveTypes.Int64}}
	for _, name := range append(append([]string(nil), SyncedFields...), ColSalesOwnerID, ColSFDCType) {
		fields = append(fields, arrow.Field{Name: name, Type: arrow.BinaryTypes.String, Nullable: true})
	}
	fields = append(fields,
		arrow.Field{Name: ColMarketoUnsubscribed, Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		arrow.Field{Name: ColMarketoUpdatedAt, Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
		arrow.Field{Name: ColFile, Type: arrow.PrimitiveTypes.Int32},
		arrow.Field{Name: ColLine, Type: arrow.PrimitiveTypes.Int64},
	)
	return arrow.NewSchema(fields, nil)
}()

// KeyedPersonSchema is PersonSchema plus the duplicate-detection key that
// dedupe computes: lower(trim(email)), NULL when email is NULL.
var KeyedPersonSchema = func() *arrow.Schema {
	fields := append(PersonSchema.Fields(), arrow.Field{Name: ColEmailKey, Type: arrow.BinaryTypes.String, Nullable: true})
	return arrow.NewSchema(fields, nil)
}()
