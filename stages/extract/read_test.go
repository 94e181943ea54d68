package extract

import (
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/internal/pipelinetest"
	"github.com/actsync/actsync/pipeline"
)

// readTest is one input file and what extract must make of it.
type readTest struct {
	name    string
	file    string // name of the input file; "in.csv" when empty
	input   string
	gzip    bool // gzip input before writing it
	want    []xrow
	rejects []xrej
	unknown []string // Stats().Unknown
	wantErr string   // substring of the error; "" for none
}

// runReadTests writes each input to a temp file, runs Discover and Open on
// it, reads every batch and compares rows, rejects, unknown columns and the
// error. It also checks the invariants every successful read keeps.
func runReadTests(t *testing.T, tests []readTest) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)

			name := tt.file
			if name == "" {
				name = "in.csv"
			}
			data := []byte(tt.input)
			if tt.gzip {
				data = pipelinetest.Gzip(t, data)
			}
			path := pipelinetest.WriteFile(t, t.TempDir(), name, data)

			res := extractAll(t, mem, []string{path}, Options{})
			checkErr(t, res.err, tt.wantErr, path)
			if tt.wantErr != "" {
				return
			}
			checkRows(t, res.rows, tt.want)
			checkRejects(t, res.rejects, tt.rejects)
			for i, d := range res.details {
				if d == "" {
					t.Errorf("reject %d (%+v) has no detail", i, res.rejects[i])
				}
			}
			if len(res.stats) != 1 {
				t.Fatalf("got %d Stats, want 1", len(res.stats))
			}
			st := res.stats[0]
			if !slices.Equal(st.Unknown, tt.unknown) {
				t.Errorf("Stats().Unknown = %q, want %q", st.Unknown, tt.unknown)
			}
			rowRejects := 0
			for _, r := range res.rejects {
				if r.Field == "" { // a field-level reject's row is among the rows
					rowRejects++
				}
			}
			if want := int64(len(res.rows) + rowRejects); st.Rows != want {
				t.Errorf("Stats().Rows = %d, want rows %d + row rejects %d", st.Rows, len(res.rows), rowRejects)
			}
			if st.Gzip != tt.gzip {
				t.Errorf("Stats().Gzip = %v, want %v", st.Gzip, tt.gzip)
			}
			for _, r := range res.rows {
				if r.File != 0 {
					t.Errorf("row %d: source_file = %d, want 0", r.ID, r.File)
				}
			}
		})
	}
}

// TestReadNULAndNull covers what real exports hold: NUL
// bytes, stripped from a field that is not synced and counted as a
// field-level nul_stripped reject while the person goes on, but a
// malformed_row in a synced field; and id or updatedAt written as the
// literal null.
func TestReadNULAndNull(t *testing.T) {
	const hdr = "id,email,sfdcLeadOwnerId,updatedAt,sfdcType,cookies\n"
	tests := []readTest{{
		name:  "NUL in an ignored column",
		input: hdr + "1,a@x,O,2026-11-02T08:00:00Z,Lead,_mch-x\x00\x00y\n",
		want:  []xrow{{ID: 1, Line: 2, Vals: m{"email": "a@x", "updated_at": "2026-11-02T08:00:00Z"}}},
		rejects: []xrej{{Reason: "nul_stripped", Line: 2, Field: "cookies",
			Raw: "1,a@x,O,2026-11-02T08:00:00Z,Lead,_mch-x\ufffd\ufffdy"}},
		unknown: []string{"cookies"},
	}, {
		name:  "NUL in side attributes",
		input: hdr + "2,b@x,O,2026-11-02T08:00:00Z\x00,Le\x00ad,\n",
		want:  []xrow{{ID: 2, Line: 2, Vals: m{"updated_at": "2026-11-02T08:00:00Z", "sfdc_type": "Lead"}}},
		rejects: []xrej{
			{Reason: "nul_stripped", Line: 2, Field: "updated_at", Raw: "2,b@x,O,2026-11-02T08:00:00Z\ufffd,Le\ufffdad,"},
			{Reason: "nul_stripped", Line: 2, Field: "sfdc_type", Raw: "2,b@x,O,2026-11-02T08:00:00Z\ufffd,Le\ufffdad,"},
		},
		unknown: []string{"cookies"},
	}, {
		name:    "NUL in a synced field or the owner",
		input:   hdr + "3,c\x00@x,O,,,\n4,d@x,O\x00,,,\n5,e@x,O,,,\n",
		want:    []xrow{{ID: 5, Line: 4}},
		rejects: []xrej{{Reason: "malformed_row", Line: 2, Raw: "3,c\ufffd@x,O,,,"}, {Reason: "malformed_row", Line: 3, Raw: "4,d@x,O\ufffd,,,"}},
		unknown: []string{"cookies"},
	}, {
		name:    "NUL in an ignored column of a row without an id",
		input:   hdr + "null,f@x,O,,,x\x00\n",
		rejects: []xrej{{Reason: "invalid_marketo_id", Line: 2, Raw: "null,f@x,O,,,x\ufffd"}},
		unknown: []string{"cookies"},
	}, {
		name:    "id and updatedAt null",
		input:   hdr + "null,g@x,O,null,null,null\n6,h@x,O,null,null,null\n",
		want:    []xrow{{ID: 6, Line: 3, Vals: m{"updated_at": nil, "sfdc_type": nil}}},
		rejects: []xrej{{Reason: "invalid_marketo_id", Line: 2, Raw: "null,g@x,O,null,null,null"}},
		unknown: []string{"cookies"},
	}, {
		name:  "JSON: NUL escapes and nulls",
		file:  "web.jsonl",
		input: `{"id": 7, "email": "i@x", "sfdcLeadOwnerId": "O", "updatedAt": null, "cookies": "a\u0000b"}` + "\n" + `{"id": null, "updatedAt": null}` + "\n",
		want:  []xrow{{ID: 7, Line: 1, Vals: m{"updated_at": nil}}},
		rejects: []xrej{
			{Reason: "nul_stripped", Line: 1, Field: "cookies", Raw: `{"id": 7, "email": "i@x", "sfdcLeadOwnerId": "O", "updatedAt": null, "cookies": "a\u0000b"}`},
			{Reason: "invalid_marketo_id", Line: 2, Raw: `{"id": null, "updatedAt": null}`},
		},
		unknown: []string{"cookies"},
	}}
	runReadTests(t, tests)
}

// Field values shared by the header spelling cases: one person with every
// raw column set to a distinct value.
const personValues = "1001,Olivia,Bennett,olivia.bennett@example.com,+14155550134,Northwind Traders," +
	"VP of Marketing,https://www.linkedin.com/in/olivia-bennett,Website,00Q5g00000DkT3a," +
	"0035g00000Mk3Ow,001A0000006Vm9r,0065g00000AcQ7n,0055g00000Bq7HXAAZ,Lead,false," +
	"2026-10-28T16:42:11Z,2025-03-14T09:12:00Z\n"

// person is personValues as extracted, from line 2.
var person = xrow{ID: 1001, Line: 2, Vals: m{
	pipeline.ColFirstName:         "Olivia",
	pipeline.ColLastName:          "Bennett",
	pipeline.ColEmail:             "olivia.bennett@example.com",
	pipeline.ColPhone:             "+14155550134",
	pipeline.ColCompany:           "Northwind Traders",
	pipeline.ColTitle:             "VP of Marketing",
	pipeline.ColLinkedInURL:       "https://www.linkedin.com/in/olivia-bennett",
	pipeline.ColSource:            "Website",
	pipeline.ColSFDCLeadID:        "00Q5g00000DkT3a",
	pipeline.ColSFDCContactID:     "0035g00000Mk3Ow",
	pipeline.ColSFDCAccountID:     "001A0000006Vm9r",
	pipeline.ColSFDCOpportunityID: "0065g00000AcQ7n",
	pipeline.ColSalesOwnerID:      "0055g00000Bq7HXAAZ",
	pipeline.ColSFDCType:          "Lead",
	pipeline.ColUnsubscribed:      "false",
	pipeline.ColUpdatedAt:         "2026-10-28T16:42:11Z",
	pipeline.ColCreatedAt:         "2025-03-14T09:12:00Z",
}}

// spell builds a header for personValues from 18 spellings in its column
// order.
func spell(names ...string) string {
	if len(names) != 18 {
		panic("spell wants 18 names")
	}
	return strings.Join(names, ",") + "\n"
}

// TestReadHeaders checks every header spelling family of docs/design.md
// against every raw column.
func TestReadHeaders(t *testing.T) {
	runReadTests(t, []readTest{{
		name: "REST",
		input: spell("id", "firstName", "lastName", "email", "phone", "company", "title",
			"linkedInProfileURL", "leadSource", "sfdcLeadId", "sfdcContactId", "sfdcAccountId",
			"sfdcOpptyId", "sfdcLeadOwnerId", "sfdcType", "unsubscribed", "updatedAt", "createdAt") + personValues,
		want: []xrow{person},
	}, {
		name: "UI display names",
		input: spell("Marketo ID", "First Name", "Last Name", "Email Address", "Phone Number",
			"Company Name", "Job Title", "LinkedIn Profile URL", "Lead Source", "SFDC Lead Id",
			"SFDC Contact Id", "SFDC Account Id", "SFDC Oppty Id", "SFDC Lead Owner Id", "SFDC Type",
			"Unsubscribed", "Updated At", "Created At") + personValues,
		want: []xrow{person},
	}, {
		name: "snake_case",
		input: spell("marketo_id", "first_name", "last_name", "email", "phone", "company", "title",
			"linkedin_url", "source", "sfdc_lead_id", "sfdc_contact_id", "sfdc_account_id",
			"sfdc_opportunity_id", "sales_owner_id", "sfdc_type", "unsubscribed", "updated_at", "created_at") + personValues,
		want: []xrow{person},
	}, {
		name: "other accepted spellings",
		input: spell("Lead ID", "firstName", "lastName", "email_address", "phone_number", "companyName",
			"jobTitle", "Marketo Social LinkedIn Profile URL", "Source", "SFDC Lead Id", "SFDC Contact Id",
			"SFDC Account Id", "SFDC Opportunity Id", "Contact Owner Id", "sfdcType", "unsubscribed",
			"updatedAt", "createdAt") + personValues,
		want: []xrow{person},
	}, {
		name: "more accepted spellings",
		input: spell("Id", "firstName", "lastName", "email", "phone", "company", "title",
			"linkedinUrl", "Lead Source", "sfdcLeadId", "sfdcContactId", "sfdcAccountId",
			"sfdcOpportunityId", "Sales Owner Id", "sfdcType", "unsubscribed", "updatedAt", "createdAt") + personValues,
		want: []xrow{person},
	}, {
		name: "owner as email address",
		input: spell("id", "firstName", "lastName", "email", "phone", "company", "title",
			"linkedInProfileURL", "leadSource", "sfdcLeadId", "sfdcContactId", "sfdcAccountId",
			"sfdcOpptyId", "Lead Owner Email Address", "sfdcType", "unsubscribed", "updatedAt", "createdAt") + personValues,
		want: []xrow{person},
	}, {
		name: "case, space, underscore and dash insensitive",
		input: spell("LEAD-ID", "  First_Name ", "LAST NAME", "E-Mail", "pHoNe", "Company-Name",
			"JOB_TITLE", "linked_in-profile URL", "LEAD SOURCE", "sfdc-lead-id", "SFDC_CONTACT_ID",
			"Sfdc Account-Id", "SFDC-Opportunity_Id", "Sales-Owner_ID", "SFDC TYPE", "UnSubscribed",
			"updated-at", "CREATED_AT") + personValues,
		want: []xrow{person},
	}, {
		name: "TSV with UI display names",
		file: "contacts.tsv",
		input: strings.ReplaceAll(spell("Marketo ID", "First Name", "Last Name", "Email Address", "Phone Number",
			"Company Name", "Job Title", "LinkedIn Profile URL", "Lead Source", "SFDC Lead Id",
			"SFDC Contact Id", "SFDC Account Id", "SFDC Oppty Id", "Contact Owner Id", "SFDC Type",
			"Unsubscribed", "Updated At", "Created At")+personValues, ",", "\t"),
		want: []xrow{person},
	}, {
		name:    "unknown columns are listed as written",
		input:   "leadScore,id,email,Foo Bar,sfdcLeadOwnerId,Lead Status\n7,1,a@example.com,x,O,Open\n",
		want:    []xrow{{ID: 1, Line: 2, Vals: m{"email": "a@example.com", "sales_owner_id": "O"}}},
		unknown: []string{"leadScore", "Foo Bar", "Lead Status"},
	}, {
		name:  "same field twice: alias order, then position",
		input: "id,Email Address,email,Email,sfdcLeadOwnerId\n1,ui@x,rest@x,rest2@x,O\n2,ui@x,,rest2@x,O\n3,ui@x,null, ,O\n",
		want: []xrow{
			{ID: 1, Line: 2, Vals: m{"email": "rest@x"}},
			{ID: 2, Line: 3, Vals: m{"email": "rest2@x"}},
			{ID: 3, Line: 4, Vals: m{"email": "ui@x"}},
		},
	}, {
		name:  "marketo id aliases: first non-empty",
		input: "Lead ID,Marketo ID,id,email,sfdcLeadOwnerId\n3,2,1,a@x,O\n3,2,,b@x,O\n3,,,c@x,O\n",
		want: []xrow{
			{ID: 1, Line: 2},
			{ID: 2, Line: 3},
			{ID: 3, Line: 4},
		},
	}})
}

// TestReadOwnerPriority checks that the sales owner is the first non-empty
// owner field in the order of docs/design.md, whatever the column order.
func TestReadOwnerPriority(t *testing.T) {
	const header = "id,email,Lead Owner Email Address,Sales Owner Id,Contact Owner Id,sfdcContactOwnerId,SFDC Lead Owner Id\n"
	runReadTests(t, []readTest{{
		name: "first non-empty wins",
		input: header +
			"1,a@x,dana@sales.example.com,S,C2,C1,L\n" +
			"2,a@x,dana@sales.example.com,S,C2,C1,\n" +
			"3,a@x,dana@sales.example.com,S,C2,null,   \n" +
			"4,a@x,dana@sales.example.com,S,,,\n" +
			"5,a@x,dana@sales.example.com,,,,\n" +
			"6,a@x,,,,,\n" +
			"7,a@x,null,null,null,null,null\n",
		want: []xrow{
			{ID: 1, Line: 2, Vals: m{"sales_owner_id": "L"}},
			{ID: 2, Line: 3, Vals: m{"sales_owner_id": "C1"}},
			{ID: 3, Line: 4, Vals: m{"sales_owner_id": "C2"}},
			{ID: 4, Line: 5, Vals: m{"sales_owner_id": "S"}},
			{ID: 5, Line: 6, Vals: m{"sales_owner_id": "dana@sales.example.com"}},
			{ID: 6, Line: 7, Vals: m{"sales_owner_id": nil}},
			{ID: 7, Line: 8, Vals: m{"sales_owner_id": nil}},
		},
	}, {
		name: "sfdcContactOwnerId before Contact Owner Id",
		input: "id,email,Contact Owner Id,sfdcContactOwnerId\n" +
			"1,a@x,C2,C1\n2,a@x,C2,\n",
		want: []xrow{
			{ID: 1, Line: 2, Vals: m{"sales_owner_id": "C1"}},
			{ID: 2, Line: 3, Vals: m{"sales_owner_id": "C2"}},
		},
	}, {
		name:  "owner value is trimmed",
		input: "id,email,sfdcLeadOwnerId,leadOwnerEmailAddress\n1,a@x,  0055g00000Hj3VsAAJ ,x@y\n",
		want:  []xrow{{ID: 1, Line: 2, Vals: m{"sales_owner_id": "0055g00000Hj3VsAAJ"}}},
	}})
}

// TestRead covers the CSV dialect and value rules.
func TestRead(t *testing.T) {
	const hdr = "id,email,sfdcLeadOwnerId\n"
	runReadTests(t, []readTest{{
		name:  "simple",
		input: hdr + "1,a@example.com,O1\n2,b@example.com,O2\n",
		want: []xrow{
			{ID: 1, Line: 2, Vals: m{"email": "a@example.com", "sales_owner_id": "O1", "first_name": nil}},
			{ID: 2, Line: 3, Vals: m{"email": "b@example.com", "sales_owner_id": "O2", "first_name": nil}},
		},
	}, {
		name:  "no final newline",
		input: hdr + "1,a@x,O",
		want:  []xrow{{ID: 1, Line: 2, Vals: m{"sales_owner_id": "O"}}},
	}, {
		name:  "UTF-8 BOM",
		input: "\ufeff" + hdr + "1,a@x,O\n",
		want:  []xrow{{ID: 1, Line: 2, Vals: m{"email": "a@x"}}},
	}, {
		name:    "UTF-8 BOM before an unknown first column",
		input:   "\ufeffleadScore,id,email,sfdcLeadOwnerId\n5,1,a@x,O\n",
		want:    []xrow{{ID: 1, Line: 2, Vals: m{"email": "a@x"}}},
		unknown: []string{"leadScore"},
	}, {
		name:  "UTF-8 BOM before a quoted header",
		input: "\ufeff\"id\",\"email\",\"sfdcLeadOwnerId\"\r\n1,a@x,O\r\n",
		want:  []xrow{{ID: 1, Line: 2, Vals: m{"email": "a@x"}}},
	}, {
		name:  "CRLF",
		input: "id,email,sfdcLeadOwnerId\r\n1,a@x,O1\r\n2,b@x,O2\r\n",
		want: []xrow{
			{ID: 1, Line: 2, Vals: m{"email": "a@x", "sales_owner_id": "O1"}},
			{ID: 2, Line: 3, Vals: m{"email": "b@x", "sales_owner_id": "O2"}},
		},
	}, {
		name: "quoted comma, quote and newline; start lines",
		input: "id,email,company,title,sfdcLeadOwnerId\n" +
			"1002,m@x,\"Acme Widgets, Inc.\",\"VP, Sales\",O\n" +
			"1003,s@x,\"The \"\"Blue Door\"\" Group\",\"Director of IT\nEMEA Region\",O\n" +
			"1004,j@x,Contoso,\"a\n\nb\",O\n" +
			"1005,p@x,Contoso,Buyer,O\n",
		want: []xrow{
			{ID: 1002, Line: 2, Vals: m{"company": "Acme Widgets, Inc.", "title": "VP, Sales"}},
			{ID: 1003, Line: 3, Vals: m{"company": `The "Blue Door" Group`, "title": "Director of IT\nEMEA Region"}},
			{ID: 1004, Line: 5, Vals: m{"company": "Contoso", "title": "a\n\nb"}},
			{ID: 1005, Line: 8, Vals: m{"company": "Contoso", "title": "Buyer"}},
		},
	}, {
		name: "quoted newline in a CRLF file",
		input: "\ufeffid,email,title,sfdcLeadOwnerId\r\n" +
			"1003,s@x,\"Director of IT\nEMEA Region\",O\r\n" +
			"1004,j@x,\"Line one\r\nLine two\",O\r\n" +
			"1005,p@x,Buyer,O\r\n",
		want: []xrow{
			{ID: 1003, Line: 2, Vals: m{"title": "Director of IT\nEMEA Region"}},
			{ID: 1004, Line: 4, Vals: m{"title": "Line one\nLine two"}},
			{ID: 1005, Line: 6, Vals: m{"title": "Buyer"}},
		},
	}, {
		name:  "blank lines are skipped but counted",
		input: hdr + "\n1,a@x,O\n\n\n2,b@x,O\n\n",
		want:  []xrow{{ID: 1, Line: 3}, {ID: 2, Line: 6}},
	}, {
		// Only the exact lowercase literal null is NULL (the Bulk Extract's
		// spelling); Null and NULL are data, e.g. a last name.
		name: "empty and null are NULL; Null and NULL are data",
		input: "id,email,firstName,lastName,phone,title,company,sfdcLeadOwnerId\n" +
			"1004,j@x,null,Null,NULL, null ,\"null\",\n" +
			"1005,k@x,\"\",  ,\t,nul,nulls,null\n",
		want: []xrow{
			{ID: 1004, Line: 2, Vals: m{"first_name": nil, "last_name": "Null", "phone": "NULL", "title": nil, "company": nil, "sales_owner_id": nil}},
			{ID: 1005, Line: 3, Vals: m{"first_name": nil, "last_name": nil, "phone": nil, "title": "nul", "company": "nulls", "sales_owner_id": nil}},
		},
	}, {
		name:  "values are trimmed, inner spaces kept",
		input: "id,email,company,firstName,sfdcLeadOwnerId\n  1038  ,  Priya.Nair@Example.com ,\" Acme  Widgets \",Grace\t,\t O \n",
		want:  []xrow{{ID: 1038, Line: 2, Vals: m{"email": "Priya.Nair@Example.com", "company": "Acme  Widgets", "first_name": "Grace", "sales_owner_id": "O"}}},
	}, {
		name:  "columns absent from the file are NULL",
		input: hdr + "1,a@x,O\n",
		want: []xrow{{ID: 1, Line: 2, Vals: m{
			"first_name": nil, "last_name": nil, "phone": nil, "company": nil, "title": nil,
			"linkedin_url": nil, "source": nil, "sfdc_lead_id": nil, "sfdc_contact_id": nil,
			"sfdc_account_id": nil, "sfdc_opportunity_id": nil, "sfdc_type": nil,
			"unsubscribed": nil, "updated_at": nil, "created_at": nil,
		}}},
	}, {
		name:  "unicode values",
		input: "id,firstName,lastName,email,company,sfdcLeadOwnerId\n1016,민준,김,minjun.kim@example.com,Müller & Söhne GmbH,O\n",
		want:  []xrow{{ID: 1016, Line: 2, Vals: m{"first_name": "민준", "last_name": "김", "company": "Müller & Söhne GmbH"}}},
	}, {
		name:  "TSV by extension",
		file:  "in.tsv",
		input: "id\temail\tcompany\tsfdcLeadOwnerId\n1037\tp@x\tInitech, LLC\tO\n",
		want:  []xrow{{ID: 1037, Line: 2, Vals: m{"company": "Initech, LLC", "email": "p@x"}}},
	}, {
		name:  "TSV by .tab extension, upper case",
		file:  "IN.TAB",
		input: "id\temail\tcompany\tsfdcLeadOwnerId\n1037\tp@x\tInitech, LLC\tO\n",
		want:  []xrow{{ID: 1037, Line: 2, Vals: m{"company": "Initech, LLC"}}},
	}, {
		name:  "TSV sniffed in a .csv whose header has tabs only",
		file:  "export.csv",
		input: "Marketo ID\tEmail Address\tCompany Name\tContact Owner Id\r\n1037\tp@x\tInitech, LLC\tO\r\n",
		want:  []xrow{{ID: 1037, Line: 2, Vals: m{"company": "Initech, LLC", "email": "p@x", "sales_owner_id": "O"}}},
	}, {
		name:    "a .csv header with tabs and commas is comma separated",
		input:   "id,email,sfdcLeadOwnerId,Notes\tMore\n1,a@x,O,x\ty\n",
		want:    []xrow{{ID: 1, Line: 2, Vals: m{"email": "a@x"}}},
		unknown: []string{"Notes\tMore"},
	}, {
		name:  "TSV from a .txt with a BOM",
		file:  "export.txt",
		input: "\ufeffid\temail\tsfdcLeadOwnerId\n1\ta@x\tO\n",
		want:  []xrow{{ID: 1, Line: 2, Vals: m{"email": "a@x"}}},
	}, {
		name:  "gzip detected by magic bytes in a .csv",
		input: hdr + "1,a@x,O\n2,b@x,O\n",
		gzip:  true,
		want:  []xrow{{ID: 1, Line: 2}, {ID: 2, Line: 3}},
	}, {
		name:  "gzip .csv.gz",
		file:  "in.csv.gz",
		input: "\ufeff" + "id,email,sfdcLeadOwnerId\r\n1,a@x,null\r\n",
		gzip:  true,
		want:  []xrow{{ID: 1, Line: 2, Vals: m{"sales_owner_id": nil}}},
	}, {
		name:  "gzip .tsv.gz",
		file:  "in.tsv.gz",
		input: "id\temail\tcompany\tsfdcLeadOwnerId\n1\ta@x\tA, B\tO\n",
		gzip:  true,
		want:  []xrow{{ID: 1, Line: 2, Vals: m{"company": "A, B"}}},
	}, {
		name:  "TSV sniffed inside a .csv.gz",
		file:  "contacts.csv.gz",
		input: "Marketo ID\tEmail Address\tCompany Name\tContact Owner Id\n1037\tp@x\tInitech, LLC\tO\n",
		gzip:  true,
		want:  []xrow{{ID: 1037, Line: 2, Vals: m{"company": "Initech, LLC"}}},
	}, {
		name:  "gzip in a file with no extension",
		file:  "export",
		input: hdr + "1,a@x,O\n",
		gzip:  true,
		want:  []xrow{{ID: 1, Line: 2}},
	}, {
		name:    "a .gz that is not gzip",
		file:    "in.csv.gz",
		input:   hdr + "1,a@x,O\n",
		wantErr: "named .gz but not gzip data",
	}, {
		name: "wrong field count: malformed_row with the raw row",
		input: "id,firstName,lastName,email,company,sfdcLeadOwnerId,updatedAt\n" +
			"1054,Ivy,Chen,ivy.chen@example.com,Proseware,O,2026-10-21T08:00:00Z\n" +
			"1056,Ana,Silva,ana@example.com,O\n" +
			"1057,Ben,Stone,ben@example.com,\"Coho, Inc\",O,2026-10-21T08:00:00Z,x,\"say \"\"hi\"\"\"\n" +
			"1058,Eve,Park,eve@example.com,\"Coho Winery, Napa\",O,2026-10-21T08:10:00Z\n",
		want: []xrow{
			{ID: 1054, Line: 2, Vals: m{"company": "Proseware"}},
			{ID: 1058, Line: 5, Vals: m{"company": "Coho Winery, Napa"}},
		},
		rejects: []xrej{
			{Reason: "malformed_row", Line: 3, Raw: "1056,Ana,Silva,ana@example.com,O"},
			{Reason: "malformed_row", Line: 4, Raw: `1057,Ben,Stone,ben@example.com,"Coho, Inc",O,2026-10-21T08:00:00Z,x,"say ""hi"""`},
		},
	}, {
		name:  "wrong field count in TSV renders the raw row with tabs",
		file:  "in.tsv",
		input: "id\temail\tsfdcLeadOwnerId\n1\ta@x\n2\tb@x\tO\n",
		want:  []xrow{{ID: 2, Line: 3}},
		rejects: []xrej{
			{Reason: "malformed_row", Line: 2, Raw: "1\ta@x"},
		},
	}, {
		name:  "wrong field count over a quoted newline starts at its first line",
		input: hdr + "1,\"a\nb\"\n2,b@x,O\n",
		want:  []xrow{{ID: 2, Line: 4}},
		rejects: []xrej{
			{Reason: "malformed_row", Line: 2, Raw: "1,\"a\nb\""},
		},
	}, {
		name:  "bare quote: malformed_row, later rows still read",
		input: hdr + "1,a@x,O\n2,b\"x@example.com,O\n3,c@x,O\n",
		want:  []xrow{{ID: 1, Line: 2}, {ID: 3, Line: 4}},
		rejects: []xrej{
			{Reason: "malformed_row", Line: 3, Raw: "2,b\"x@example.com,O"},
		},
	}, {
		name:  "extraneous quote in a quoted field: malformed_row, later rows still read",
		input: hdr + "1,\"a\"b@x\",O\n3,c@x,O\n",
		want:  []xrow{{ID: 3, Line: 3}},
		rejects: []xrej{
			{Reason: "malformed_row", Line: 2, Raw: "1,\"a\"b@x\",O"},
		},
	}, {
		name:  "unterminated quote swallows the rest of the file",
		input: hdr + "1,a@x,O\n2,\"b@x,O\n3,c@x,O\n",
		want:  []xrow{{ID: 1, Line: 2}},
		rejects: []xrej{
			{Reason: "malformed_row", Line: 3, Raw: "2,\"b@x,O\n3,c@x,O"},
		},
	}, {
		name: "invalid marketo ids",
		input: hdr +
			",a@x,O\n" +
			"abc,b@x,O\n" +
			"-5,c@x,O\n" +
			"0,d@x,O\n" +
			"12.5,e@x,O\n" +
			"99999999999999999999,f@x,O\n" +
			"null,g@x,O\n" +
			"   ,h@x,O\n" +
			"1e3,i@x,O\n" +
			"0x1F,j@x,O\n" +
			" 1038 ,k@x,O\n",
		want: []xrow{{ID: 1038, Line: 12, Vals: m{"email": "k@x"}}},
		rejects: []xrej{
			{Reason: "invalid_marketo_id", Line: 2, Raw: ",a@x,O"},
			{Reason: "invalid_marketo_id", Line: 3, Raw: "abc,b@x,O"},
			{Reason: "invalid_marketo_id", Line: 4, Raw: "-5,c@x,O"},
			{Reason: "invalid_marketo_id", Line: 5, Raw: "0,d@x,O"},
			{Reason: "invalid_marketo_id", Line: 6, Raw: "12.5,e@x,O"},
			{Reason: "invalid_marketo_id", Line: 7, Raw: "99999999999999999999,f@x,O"},
			{Reason: "invalid_marketo_id", Line: 8, Raw: "null,g@x,O"},
			{Reason: "invalid_marketo_id", Line: 9, Raw: `"   ",h@x,O`}, // re-rendered as CSV
			{Reason: "invalid_marketo_id", Line: 10, Raw: "1e3,i@x,O"},
			{Reason: "invalid_marketo_id", Line: 11, Raw: "0x1F,j@x,O"},
		},
	}, {
		name:  "largest int64 id is valid",
		input: hdr + "9223372036854775807,a@x,O\n",
		want:  []xrow{{ID: 9223372036854775807, Line: 2}},
	}, {
		name:  "invalid id raw row keeps quoting",
		input: hdr + "x,\"Smith, J\",O\n",
		rejects: []xrej{
			{Reason: "invalid_marketo_id", Line: 2, Raw: `x,"Smith, J",O`},
		},
	}, {
		name:    "missing sales owner column",
		input:   "id,firstName,lastName,email,company,title,sfdcType,updatedAt\n1051,Nora,Quinn,n@x,N,B,Lead,2026-10-20T10:00:00Z\n",
		wantErr: "no column for sales_owner_id (",
	}, {
		name:    "missing email column",
		input:   "id,sfdcLeadOwnerId\n1,O\n",
		wantErr: "no column for email (",
	}, {
		name:    "missing marketo id column",
		input:   "email,sfdcLeadOwnerId,leadId2\na@x,O,1\n",
		wantErr: "no column for marketo_id (",
	}, {
		name:    "empty file",
		input:   "",
		wantErr: "empty file: no header row",
	}, {
		name:    "only a BOM",
		input:   "\ufeff",
		wantErr: "empty file: no header row",
	}, {
		name:    "only blank lines",
		input:   "\n\r\n\n",
		wantErr: "empty file: no header row",
	}, {
		name:    "empty gzip",
		file:    "in.csv.gz",
		gzip:    true,
		wantErr: "empty file: no header row",
	}, {
		name:  "header only",
		input: "id,firstName,lastName,email,phone,company,title,leadSource,sfdcLeadId,sfdcContactId,sfdcAccountId,sfdcOpptyId,linkedInProfileURL,sfdcLeadOwnerId,sfdcType,unsubscribed,updatedAt,createdAt,leadScore\n",
		// The header is matched (an unknown column is still reported) and
		// the file yields nothing.
		unknown: []string{"leadScore"},
	}, {
		name:  "header only, no newline",
		input: "id,email,sfdcLeadOwnerId",
	}, {
		name:    "broken quote in the header",
		input:   "id,\"email,sfdcLeadOwnerId\n1,a@x,O\n",
		wantErr: `in.csv:1: header: extraneous or missing " in quoted-field`,
	}})
}
