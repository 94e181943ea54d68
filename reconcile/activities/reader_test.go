package activities

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/internal/pipelinetest"
	"github.com/actsync/actsync/stages/extract"
)

// row is one parsed activity, for comparisons.
type row struct {
	GUID     string
	Lead     int64 // 0 = NULL
	Date     time.Time
	TypeID   int32
	TypeName string
	Category string
	Kind     string
	Attrs    string
	Action   string
	Email    string
	MergeIDs []int64
	Line     int64
}

// readAll parses one file with a checked allocator and returns its rows
// and rejects.
func readAll(t testing.TB, path string, format extract.Format, types *Types) ([]row, []Reject, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r, err := Open(extract.Source{Path: path, Format: format, Gzip: strings.HasSuffix(path, ".gz")}, types, mem)
	if err != nil {
		return nil, nil, err
	}
	defer r.Release()
	var rows []row
	for r.Next() {
		rows = append(rows, toRows(r.RecordBatch())...)
	}
	return rows, r.Rejects(), r.Err()
}

func toRows(b arrow.RecordBatch) []row {
	str := func(c, i int) string {
		a := b.Column(c).(*array.String)
		if a.IsNull(i) {
			return ""
		}
		return a.Value(i)
	}
	var out []row
	for i := 0; i < int(b.NumRows()); i++ {
		rw := row{
			GUID:     str(colGUID, i),
			Date:     time.UnixMicro(int64(b.Column(colDate).(*array.Timestamp).Value(i))).UTC(),
			TypeID:   b.Column(colTypeID).(*array.Int32).Value(i),
			TypeName: str(colTypeName, i),
			Category: str(colCategory, i),
			Kind:     str(colSalesKind, i),
			Attrs:    str(colAttributes, i),
			Action:   str(colActionResult, i),
			Email:    str(colEmail, i),
			Line:     b.Column(colLine).(*array.Int64).Value(i),
		}
		if l := b.Column(colLeadID).(*array.Int64); l.IsValid(i) {
			rw.Lead = l.Value(i)
		}
		if l := b.Column(colMergeIDs).(*array.List); l.IsValid(i) {
			s, e := l.ValueOffsets(i)
			vals := l.ListValues().(*array.Int64)
			for j := s; j < e; j++ {
				rw.MergeIDs = append(rw.MergeIDs, vals.Value(int(j)))
			}
		}
		out = append(out, rw)
	}
	return out
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	return pipelinetest.WriteFile(t, t.TempDir(), name, data)
}

func TestSamples(t *testing.T) {
	rows, rejects, err := readAll(t, "testdata/bulk_activity_export_example.csv", extract.CSV, BuiltinTypes())
	if err != nil || len(rejects) != 0 || len(rows) != 4 {
		t.Fatalf("bulk example: %d rows, %v rejects, err %v", len(rows), rejects, err)
	}
	if r := rows[0]; r.GUID != "783957693" || r.Lead != 5414087 || r.TypeName != "Change Status in Progression" ||
		!r.Date.Equal(time.Date(2022, 2, 13, 14, 6, 20, 0, time.UTC)) || !strings.HasPrefix(r.Attrs, `{"Reason":"Changed by Smart Campaign`) {
		t.Errorf("bulk example row 1: %+v", r)
	}
	rows, rejects, err = readAll(t, "testdata/swagger_activity_file_example_legacy.csv", extract.CSV, BuiltinTypes())
	if err != nil || len(rejects) != 0 || len(rows) != 1 {
		t.Fatalf("legacy example: %d rows, %v rejects, err %v", len(rows), rejects, err)
	}
	want := row{GUID: "122323", Lead: 6, Date: time.Date(2013, 9, 26, 6, 56, 35, 0, time.UTC), TypeID: 12,
		TypeName: "New Lead", Category: CategoryLifecycle, Attrs: `{"Source Type":"Web page visit"}`, Line: 2}
	if !equalRow(rows[0], want) {
		t.Errorf("legacy example:\n got %+v\nwant %+v", rows[0], want)
	}
}

func equalRow(a, b row) bool {
	return a.Date.Equal(b.Date) && slices.Equal(a.MergeIDs, b.MergeIDs) &&
		a.GUID == b.GUID && a.Lead == b.Lead && a.TypeID == b.TypeID && a.TypeName == b.TypeName &&
		a.Category == b.Category && a.Kind == b.Kind && a.Attrs == b.Attrs && a.Action == b.Action &&
		a.Email == b.Email && a.Line == b.Line
}

const header = "marketoGUID,leadId,activityDate,activityTypeId,campaignId,primaryAttributeValueId,primaryAttributeValue,attributes,actionResult\n"

func TestCSVRows(t *testing.T) {
	d := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		name    string
		input   string
		want    []row
		rejects []string // reason@line
	}{
		{
			name:  "object attributes, null literals, Z date",
			input: header + `1001,1003,2026-11-02T09:30:00Z,39,null,null,Pricing,"{""Sent by"":""rep@example.com"",""Email Subject"":""Pricing""}",succeeded` + "\n",
			want: []row{{GUID: "1001", Lead: 1003, Date: d, TypeID: 39, TypeName: "Send Sales Email", Category: CategorySalesEmail,
				Kind: KindSendSalesEmail, Attrs: `{"Sent By":"rep@example.com","Email Subject":"Pricing"}`, Action: "succeeded", Line: 2}},
		},
		{
			name:  "legacy array unquoted, +0000, email only",
			input: header + `1002,,2026-11-02T09:30:00+0000,41,,77,Hi,[{"name":"Link","value":"https://x.example.com/a,b"},{"name":"Email","value":" A@Example.com "}],` + "\n",
			want: []row{{GUID: "1002", Date: d, TypeID: 41, TypeName: "Click Sales Email", Category: CategorySalesEmail,
				Kind: KindClickSalesEmail, Attrs: `{"Link":"https://x.example.com/a,b","Email":" A@Example.com "}`, Email: "A@Example.com", Line: 2}},
		},
		{
			name:  "merge ids as a JSON array and as a string",
			input: header + `1003,1005,2026-11-02T09:30:00Z,32,,1005,x,"{""Merge IDs"":[1031, 1032]}",` + "\n" + `1004,1005,2026-11-02T09:30:00Z,32,,1005,x,"{""mergeIds"":""[1033]""}",` + "\n",
			want: []row{
				{GUID: "1003", Lead: 1005, Date: d, TypeID: 32, TypeName: "Merge Leads", Category: CategoryLifecycle, Attrs: `{"Merge IDs":[1031,1032]}`, MergeIDs: []int64{1031, 1032}, Line: 2},
				{GUID: "1004", Lead: 1005, Date: d, TypeID: 32, TypeName: "Merge Leads", Category: CategoryLifecycle, Attrs: `{"Merge IDs":"[1033]"}`, MergeIDs: []int64{1033}, Line: 3},
			},
		},
		{
			name:  "BOM, CRLF, quoted newline, blank line, unknown type",
			input: "\ufeff" + strings.ReplaceAll(header, "\n", "\r\n") + "1005,1001,2026-11-02 09:30:00,999999,,,\"two\r\nlines\",,\r\n\r\n",
			want:  []row{{GUID: "1005", Lead: 1001, Date: d, TypeID: 999999, Category: CategoryOther, Line: 2}},
		},
		{
			name: "rejects",
			input: header +
				"1006,1001,2026-13-45T00:00:00Z,39,,,,,\n" + // bad date
				"1007,1001,2026-11-02T09:30:00Z,39,,,,{not json},\n" + // attributes
				"1008,x,2026-11-02T09:30:00Z,39,,,,,\n" + // lead id
				"1009,1001,2026-11-02T09:30:00Z,39\n" + // field count
				",1001,2026-11-02T09:30:00Z,39,,,,,\n" + // no guid
				"1010,1001,2026-11-02T09:30:00Z,abc,,,,,\n" + // type
				"1011,1001,2026-11-02T09:30:00Z,10,,,,\"[1,2]\",\n" + // attributes not name/value
				"1012,1001,,10,,,,,\n" + // no date
				"1013,1001,2026-11-02T09:30:00Z,10,,,,,\n", // good
			want: []row{{GUID: "1013", Lead: 1001, Date: d, TypeID: 10, TypeName: "Open Email", Category: CategoryMarketingEmail, Line: 10}},
			rejects: []string{"invalid_activity_date@2", "malformed_attributes@3", "malformed_row@4", "malformed_row@5",
				"malformed_row@6", "malformed_row@7", "malformed_attributes@8", "invalid_activity_date@9"},
		},
		{
			name:    "unterminated quote at the end",
			input:   header + "1014,1001,2026-11-02T09:30:00Z,10,,,\"open\n",
			rejects: []string{"malformed_row@2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, zip := range []bool{false, true} {
				data := []byte(tt.input)
				if zip {
					data = pipelinetest.Gzip(t, data)
				}
				rows, rejects, err := readAll(t, writeFile(t, "a.csv", data), extract.CSV, BuiltinTypes())
				if err != nil {
					t.Fatal(err)
				}
				if len(rows) != len(tt.want) {
					t.Fatalf("gzip %v: %d rows, want %d: %+v (rejects %+v)", zip, len(rows), len(tt.want), rows, rejects)
				}
				for i := range rows {
					if !equalRow(rows[i], tt.want[i]) {
						t.Errorf("row %d:\n got %+v\nwant %+v", i, rows[i], tt.want[i])
					}
				}
				var got []string
				for _, r := range rejects {
					got = append(got, r.Reason+"@"+strconv.FormatInt(r.Line, 10))
					if r.Raw == "" || r.File == "" {
						t.Errorf("reject without raw row or file: %+v", r)
					}
				}
				if strings.Join(got, " ") != strings.Join(tt.rejects, " ") {
					t.Errorf("rejects %v, want %v", got, tt.rejects)
				}
			}
		})
	}
}

// TestFlattenedAttributes covers activity CSVs with one column per
// attribute, as warehouse tools and connectors write them:
// the columns besides the Bulk Activity Extract's are kept as attributes,
// named as in the header (canonical names where the reconcile SQL reads
// one), next to an attributes column, which wins for a name both have.
func TestFlattenedAttributes(t *testing.T) {
	d := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	const base = "marketoGUID,leadId,activityDate,activityTypeId"
	tests := []struct {
		name  string
		input string
		want  []row
	}{
		{
			name:  "flattened columns only",
			input: base + ",Sent By,email_subject,Email,campaign_run_id\n1101,1003,2026-11-02T09:30:00Z,39,rep@example.com,Pricing, A@Example.com ,758\n",
			want: []row{{GUID: "1101", Lead: 1003, Date: d, TypeID: 39, TypeName: "Send Sales Email", Category: CategorySalesEmail, Kind: KindSendSalesEmail,
				Attrs: `{"Sent By":"rep@example.com","Email Subject":"Pricing","Email":"A@Example.com","campaign_run_id":"758"}`, Email: "A@Example.com", Line: 2}},
		},
		{
			name:  "next to an attributes column, which wins",
			input: base + ",attributes,Email Subject,Sent By\n1102,1003,2026-11-02T09:30:00Z,39,\"{\"\"Email Subject\"\":\"\"From JSON\"\"}\",From column,rep@example.com\n",
			want: []row{{GUID: "1102", Lead: 1003, Date: d, TypeID: 39, TypeName: "Send Sales Email", Category: CategorySalesEmail, Kind: KindSendSalesEmail,
				Attrs: `{"Email Subject":"From JSON","Sent By":"rep@example.com"}`, Line: 2}},
		},
		{
			name:  "merge ids in a column",
			input: base + ",merge_ids,merge_source\n1103,1345540,2026-11-02T09:30:00Z,32,[1286861],leaddb\n",
			want: []row{{GUID: "1103", Lead: 1345540, Date: d, TypeID: 32, TypeName: "Merge Leads", Category: CategoryLifecycle,
				Attrs: `{"Merge IDs":"[1286861]","merge_source":"leaddb"}`, MergeIDs: []int64{1286861}, Line: 2}},
		},
		{
			name:  "empty and null values are no attribute",
			input: base + ",Sent By,link\n1104,1003,2026-11-02T09:30:00Z,10,,null\n",
			want:  []row{{GUID: "1104", Lead: 1003, Date: d, TypeID: 10, TypeName: "Open Email", Category: CategoryMarketingEmail, Line: 2}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, rejects, err := readAll(t, writeFile(t, "a.csv", []byte(tt.input)), extract.CSV, BuiltinTypes())
			if err != nil || len(rejects) != 0 {
				t.Fatalf("err %v, rejects %+v", err, rejects)
			}
			if len(rows) != len(tt.want) {
				t.Fatalf("%d rows, want %d: %+v", len(rows), len(tt.want), rows)
			}
			for i := range rows {
				if !equalRow(rows[i], tt.want[i]) {
					t.Errorf("row %d:\n got %+v\nwant %+v", i, rows[i], tt.want[i])
				}
			}
		})
	}
}

func TestJSONLRows(t *testing.T) {
	input := `{"id":601,"marketoGUID":"601","leadId":1021,"activityDate":"2026-11-02T09:30:00Z","activityTypeId":39,"primaryAttributeValueId":55,"primaryAttributeValue":"Q4","attributes":[{"name":"Sent By","value":"rep@example.com"},{"name":"Artifact ID","value":55}]}
{"id":602,"leadId":1021,"activityDate":"2026-11-02T09:30:00Z","activityTypeId":37,"attributes":[]}

not json
{"id":603,"leadId":1021,"activityDate":"yesterday","activityTypeId":39}
{"id":604,"leadId":1021,"activityDate":"2026-11-02T09:30:00Z","activityTypeId":39,"attributes":"{\"Email Subject\":\"x\"}"}
{"id":605,"leadId":{"x":1},"activityDate":"2026-11-02T09:30:00Z","activityTypeId":39}
`
	rows, rejects, err := readAll(t, writeFile(t, "a.jsonl", []byte(input)), extract.JSONL, BuiltinTypes())
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].Attrs != `{"Sent By":"rep@example.com","Artifact ID":55}` || rows[1].GUID != "602" ||
		rows[1].TypeName != "Delete Lead" || rows[1].Attrs != "{}" || rows[2].Attrs != `{"Email Subject":"x"}` || rows[2].Line != 6 {
		t.Errorf("rows: %+v", rows)
	}
	if len(rejects) != 3 || rejects[0].Reason != ReasonMalformedRow || rejects[0].Line != 4 ||
		rejects[1].Reason != ReasonInvalidActivityDate || rejects[2].Reason != ReasonMalformedRow {
		t.Errorf("rejects: %+v", rejects)
	}
}

// TestJSONDocumentRows covers activities given as one JSON document: the
// REST response of GET /rest/v1/activities.json as saved, pretty-printed
// or not, and a bare array; each row and reject at the line where its
// element starts, and a one-line error for any other shape.
func TestJSONDocumentRows(t *testing.T) {
	rest := `{
  "requestId": "24fd#15188a88d7f",
  "success": true,
  "nextPageToken": "GIYDAOBNGEYS2MBWKQYDAORQGA5DAMBOGAYDAKZQGAYDALBQ",
  "moreResult": false,
  "result": [
    {
      "id": 701,
      "marketoGUID": "701",
      "leadId": 1021,
      "activityDate": "2026-11-02T09:30:00Z",
      "activityTypeId": 39,
      "primaryAttributeValue": "Q4",
      "attributes": [{"name": "Sent By", "value": "rep@example.com"}]
    },
    {"id": 702, "leadId": 1021, "activityDate": "yesterday", "activityTypeId": 39},
    {"id": 703, "leadId": 1022, "activityDate": "2026-11-02T09:31:00Z", "activityTypeId": 37}
  ]
}
`
	tests := []struct {
		name    string
		input   string
		want    []string // guid@line
		rejects []string // reason@line
		wantErr string
	}{
		{name: "REST response, pretty-printed", input: rest,
			want: []string{"701@7", "703@17"}, rejects: []string{"invalid_activity_date@16"}},
		{name: "REST response on one line",
			input: `{"requestId":"1#2","result":[{"id":801,"leadId":5,"activityDate":"2026-11-02T09:30:00Z","activityTypeId":10}],"success":true,"moreResult":false}`,
			want:  []string{"801@1"}},
		{name: "array with a non-object element",
			input:   "[\n  {\"marketoGUID\": \"901\", \"leadId\": 5, \"activityDate\": \"2026-11-02T09:30:00Z\", \"activityTypeId\": 10},\n  42\n]\n",
			want:    []string{"901@2"},
			rejects: []string{"malformed_row@3"}},
		{name: "REST error response",
			input:   `{"requestId":"1#2","success":false,"errors":[{"code":"606","message":"Max rate limit '100' exceeded with in '20' secs"}]}`,
			wantErr: "a.json:1: a Marketo REST error response, not an export: 606 Max rate limit"},
		{name: "an object of another shape",
			input:   "{\n  \"activityTypeId\": 39\n}\n",
			wantErr: "a.json:3: a JSON document that is neither an array of objects nor a Marketo REST response"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, rejects, err := readAll(t, writeFile(t, "a.json", []byte(tt.input)), extract.JSONL, BuiltinTypes())
			if tt.wantErr != "" {
				var fe *extract.FileError
				if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("err = %v, want a one-line FileError containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got, gotRej []string
			for _, r := range rows {
				got = append(got, r.GUID+"@"+strconv.FormatInt(r.Line, 10))
			}
			for _, r := range rejects {
				gotRej = append(gotRej, r.Reason+"@"+strconv.FormatInt(r.Line, 10))
			}
			if !slices.Equal(got, tt.want) || !slices.Equal(gotRej, tt.rejects) {
				t.Errorf("rows %v, rejects %v; want %v, %v", got, gotRej, tt.want, tt.rejects)
			}
		})
	}
}

func TestWholeFileErrors(t *testing.T) {
	full := pipelinetest.Gzip(t, []byte(header+strings.Repeat("1001,1003,2026-11-02T09:30:00Z,39,,,,,\n", 2000)))
	tests := []struct {
		name, file string
		data       []byte
		format     extract.Format
		want       string
	}{
		{"missing columns", "a.csv", []byte("marketoGUID,leadId,attributes\n1,2,\n"), extract.CSV, "no column activityDate, activityTypeId"},
		{"empty", "a.csv", nil, extract.CSV, "no header"},
		{"truncated gzip", "a.csv.gz", full[:len(full)/2], extract.CSV, "truncated"},
		{"named gz, not gzip", "a.csv.gz", []byte(header), extract.CSV, "not gzip"},
		{"parquet", "a.parquet", []byte("PAR1"), extract.Parquet, "not Parquet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readAll(t, writeFile(t, tt.file, tt.data), tt.format, BuiltinTypes())
			var fe *extract.FileError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want a FileError containing %q", err, tt.want)
			}
		})
	}
}
