package extract

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/internal/pipelinetest"
)

// TestReadJSONL covers JSON Lines: typed values rendered as text, key union
// across lines, and the lines that are rejected or skipped.
func TestReadJSONL(t *testing.T) {
	tests := []readTest{{
		name: "REST shape: numbers, booleans, null",
		input: `{"id": 1040, "firstName": "Lucía", "email": "lucia@example.org", "phone": 34935550123, "sfdcLeadOwnerId": null, "leadOwnerEmailAddress": "dana.kim@sales.example.com", "unsubscribed": false, "leadScore": 35}` + "\n" +
			`{"id": "1041", "email": "arjun@example.com", "leadOwnerEmailAddress": "marco@sales.example.com", "sfdcContactOwnerId": "0058a00000Tz4WkAAJ", "unsubscribed": true, "phone": -1.5e2}` + "\n",
		want: []xrow{
			{ID: 1040, Line: 1, Vals: m{"first_name": "Lucía", "email": "lucia@example.org", "phone": "34935550123", "sales_owner_id": "dana.kim@sales.example.com", "unsubscribed": "false"}},
			{ID: 1041, Line: 2, Vals: m{"first_name": nil, "email": "arjun@example.com", "phone": "-1.5e2", "sales_owner_id": "0058a00000Tz4WkAAJ", "unsubscribed": "true"}},
		},
		unknown: []string{"leadScore"},
	}, {
		name: "nested values are kept as JSON text",
		input: `{"id": 7, "email": "a@x", "sfdcLeadOwnerId": "O", "company": {"name": "Acme", "size": 10}, "title": ["a", "b"]}` + "\n" +
			`{"id": {"v": 8}, "email": "b@x"}` + "\n",
		want: []xrow{
			{ID: 7, Line: 1, Vals: m{"company": `{"name": "Acme", "size": 10}`, "title": `["a", "b"]`}},
		},
		rejects: []xrej{
			{Reason: "invalid_marketo_id", Line: 2, Raw: `{"id": {"v": 8}, "email": "b@x"}`},
		},
	}, {
		name:  "string values: trimmed, empty and null are NULL, escapes decoded",
		input: `{"id": " 1038 ", "email": "  jose@example.com ", "firstName": "", "lastName": "null", "title": "Null", "company": "\u00c1lvarez \"Hnos\"", "sfdcLeadOwnerId": "  "}` + "\n",
		want: []xrow{{ID: 1038, Line: 1, Vals: m{
			"email": "jose@example.com", "first_name": nil, "last_name": nil, "title": "Null",
			"company": `Álvarez "Hnos"`, "sales_owner_id": nil,
		}}},
	}, {
		name: "non-object lines are malformed rows",
		input: `{"id": 1, "email": "a@x"}` + "\n" +
			`[1, 2]` + "\n" +
			`"just a string"` + "\n" +
			`42` + "\n" +
			`null` + "\n" +
			`true` + "\n" +
			`{"id": 2, "email": "b@x"}` + "\n",
		want: []xrow{{ID: 1, Line: 1}, {ID: 2, Line: 7}},
		rejects: []xrej{
			{Reason: "malformed_row", Line: 2, Raw: `[1, 2]`},
			{Reason: "malformed_row", Line: 3, Raw: `"just a string"`},
			{Reason: "malformed_row", Line: 4, Raw: `42`},
			{Reason: "malformed_row", Line: 5, Raw: `null`},
			{Reason: "malformed_row", Line: 6, Raw: `true`},
		},
	}, {
		name: "invalid JSON is a malformed row",
		input: `{"id": 1, "email": "a@x",` + "\n" +
			`{"id": 2} trailing` + "\n" +
			`{id: 3}` + "\n" +
			`{"id": 4, "email": "d@x"}` + "\n",
		want: []xrow{{ID: 4, Line: 4, Vals: m{"email": "d@x"}}},
		rejects: []xrej{
			{Reason: "malformed_row", Line: 1, Raw: `{"id": 1, "email": "a@x",`},
			{Reason: "malformed_row", Line: 2, Raw: `{"id": 2} trailing`},
			{Reason: "malformed_row", Line: 3, Raw: `{id: 3}`},
		},
	}, {
		name:  "blank lines are skipped but counted",
		input: "\n" + `{"id": 1, "email": "a@x"}` + "\n   \n\t\n" + `{"id": 2, "email": "b@x"}` + "\n\n",
		want:  []xrow{{ID: 1, Line: 2}, {ID: 2, Line: 5}},
	}, {
		name: "key union across lines; absent keys are NULL",
		input: `{"id": 1, "email": "a@x", "x": 1}` + "\n" +
			`{"id": 2, "sfdcLeadOwnerId": "O2", "y": 2}` + "\n" +
			`{"id": 3, "email": "c@x", "x": 3}` + "\n" +
			`{"id": 4, "Lead Owner Email Address": "e@x", "SFDC Lead Owner Id": null}` + "\n" +
			`{"id": 5, "Lead Owner Email Address": "e@x", "sfdcLeadOwnerId": "O5"}` + "\n",
		want: []xrow{
			{ID: 1, Line: 1, Vals: m{"email": "a@x", "sales_owner_id": nil}},
			{ID: 2, Line: 2, Vals: m{"email": nil, "sales_owner_id": "O2"}},
			{ID: 3, Line: 3, Vals: m{"email": "c@x", "sales_owner_id": nil}},
			{ID: 4, Line: 4, Vals: m{"email": nil, "sales_owner_id": "e@x"}},
			{ID: 5, Line: 5, Vals: m{"email": nil, "sales_owner_id": "O5"}},
		},
		unknown: []string{"x", "y"},
	}, {
		name:  "UTF-8 BOM and CRLF",
		file:  "web.ndjson",
		input: "\ufeff" + `{"id": 1, "email": "a@x"}` + "\r\n" + `{"id": 2, "email": "b@x"}` + "\r\n",
		want: []xrow{
			{ID: 1, Line: 1, Vals: m{"email": "a@x"}},
			{ID: 2, Line: 2, Vals: m{"email": "b@x"}},
		},
	}, {
		name: "invalid marketo ids",
		input: `{"email": "a@x"}` + "\n" +
			`{"id": null}` + "\n" +
			`{"id": "abc"}` + "\n" +
			`{"id": -5}` + "\n" +
			`{"id": 0}` + "\n" +
			`{"id": 12.5}` + "\n" +
			`{"id": 99999999999999999999}` + "\n" +
			`{"id": 1040.0}` + "\n" +
			`{"id": true}` + "\n" +
			`{"id": 9}` + "\n",
		want: []xrow{{ID: 9, Line: 10}},
		rejects: []xrej{
			{Reason: "invalid_marketo_id", Line: 1, Raw: `{"email": "a@x"}`},
			{Reason: "invalid_marketo_id", Line: 2, Raw: `{"id": null}`},
			{Reason: "invalid_marketo_id", Line: 3, Raw: `{"id": "abc"}`},
			{Reason: "invalid_marketo_id", Line: 4, Raw: `{"id": -5}`},
			{Reason: "invalid_marketo_id", Line: 5, Raw: `{"id": 0}`},
			{Reason: "invalid_marketo_id", Line: 6, Raw: `{"id": 12.5}`},
			{Reason: "invalid_marketo_id", Line: 7, Raw: `{"id": 99999999999999999999}`},
			{Reason: "invalid_marketo_id", Line: 8, Raw: `{"id": 1040.0}`},
			{Reason: "invalid_marketo_id", Line: 9, Raw: `{"id": true}`},
		},
	}, {
		name:  "empty object",
		input: "{}\n" + `{"id": 2, "email": "b@x"}` + "\n",
		want:  []xrow{{ID: 2, Line: 2, Vals: m{"email": "b@x"}}},
		rejects: []xrej{
			{Reason: "invalid_marketo_id", Line: 1, Raw: "{}"},
		},
	}, {
		// A first line starting with '[' would make the file a JSON
		// array (TestReadJSONDocument).
		name:  "empty object after a malformed first line",
		input: "\"x\"\n{}\n",
		rejects: []xrej{
			{Reason: "malformed_row", Line: 1, Raw: `"x"`},
			{Reason: "invalid_marketo_id", Line: 2, Raw: "{}"},
		},
	}, {
		// JSON Lines may omit keys, so a file is never refused for a missing
		// column: every row without an id is rejected instead.
		name:  "no id key anywhere",
		input: `{"email": "a@x", "sfdcLeadOwnerId": "O"}` + "\n",
		rejects: []xrej{
			{Reason: "invalid_marketo_id", Line: 1, Raw: `{"email": "a@x", "sfdcLeadOwnerId": "O"}`},
		},
	}, {
		name:  "empty file",
		input: "",
	}, {
		name:  "gzip .jsonl.gz",
		file:  "web.jsonl.gz",
		gzip:  true,
		input: `{"id": 1, "email": "a@x"}` + "\n",
		want:  []xrow{{ID: 1, Line: 1}},
	}}
	for i := range tests {
		if tests[i].file == "" {
			tests[i].file = "web.jsonl"
		}
	}
	runReadTests(t, tests)
}

// TestReadJSONDocument covers the single-document JSON shapes SniffJSON
// tells from JSON Lines: an array of person objects, pretty-printed or
// not, and a Marketo REST response whose "result" holds them; and the
// one-line errors for any other shape. Rows and rejects carry the line
// where their element starts.
func TestReadJSONDocument(t *testing.T) {
	tests := []readTest{{
		name: "pretty-printed array",
		file: "leads.json",
		input: "[\n" +
			"  {\n    \"id\": 1040,\n    \"email\": \"lucia@example.org\",\n    \"sfdcLeadOwnerId\": \"0055g00000Bq7HXAAZ\"\n  },\n" +
			"  {\"id\": 1041, \"email\": null, \"updatedAt\": null, \"leadScore\": 3},\n" +
			"  {\n    \"id\": null,\n    \"email\": \"x@example.org\"\n  }\n" +
			"]\n",
		want: []xrow{
			{ID: 1040, Line: 2, Vals: m{"email": "lucia@example.org", "sales_owner_id": "0055g00000Bq7HXAAZ"}},
			{ID: 1041, Line: 7, Vals: m{"email": nil, "updated_at": nil}},
		},
		rejects: []xrej{{Reason: "invalid_marketo_id", Line: 8, Raw: "{\n    \"id\": null,\n    \"email\": \"x@example.org\"\n  }"}},
		unknown: []string{"leadScore"},
	}, {
		name:  "compact array, BOM, CRLF",
		file:  "leads.json",
		input: "\ufeff[{\"id\": 1, \"email\": \"a@x\"},\r\n{\"id\": 2, \"email\": \"b@x\"}]",
		want:  []xrow{{ID: 1, Line: 1}, {ID: 2, Line: 2}},
	}, {
		name: "REST response, pretty-printed",
		file: "leads.json",
		input: "{\n  \"requestId\": \"e42b#14272d07d78\",\n  \"success\": true,\n  \"result\": [\n" +
			"    {\"id\": 318581, \"email\": \"a@example.com\", \"updatedAt\": \"2026-11-02T08:00:00Z\", \"sfdcLeadOwnerId\": \"005000000000001AAA\"},\n" +
			"    {\"id\": 318592, \"email\": \"b@example.com\", \"updatedAt\": \"2026-11-02T08:01:00Z\"}\n" +
			"  ],\n  \"moreResult\": false,\n  \"nextPageToken\": \"GIYDAOBNGEYS2MBWKQYDAORQGA5DAMBOGAYDAKZQGAYDALBQ\"\n}\n",
		want: []xrow{
			{ID: 318581, Line: 5, Vals: m{"email": "a@example.com", "updated_at": "2026-11-02T08:00:00Z", "sales_owner_id": "005000000000001AAA"}},
			{ID: 318592, Line: 6, Vals: m{"email": "b@example.com", "sales_owner_id": nil}},
		},
	}, {
		name:  "REST response on one line",
		file:  "leads.json",
		input: `{"requestId":"1#2","result":[{"id":7,"email":"a@x"},{"id":8,"email":"b@x"}],"success":true}`,
		want:  []xrow{{ID: 7, Line: 1}, {ID: 8, Line: 1}},
	}, {
		name:  "REST response with an empty result",
		file:  "leads.json",
		input: `{"requestId":"1#2","result":[],"success":true}`,
	}, {
		name:  "array elements that are not objects",
		file:  "leads.json",
		input: "[\n  {\"id\": 1, \"email\": \"a@x\"},\n  [1, 2],\n  \"text\",\n  null,\n  {\"id\": 2}\n]\n",
		want:  []xrow{{ID: 1, Line: 2}, {ID: 2, Line: 6}},
		rejects: []xrej{
			{Reason: "malformed_row", Line: 3, Raw: "[1, 2]"},
			{Reason: "malformed_row", Line: 4, Raw: `"text"`},
			{Reason: "malformed_row", Line: 5, Raw: "null"},
		},
	}, {
		name:  "an array in a .jsonl file",
		file:  "web.jsonl",
		input: "[\n{\"id\": 1, \"email\": \"a@x\"}\n]\n",
		want:  []xrow{{ID: 1, Line: 2}},
	}, {
		name:  "gzip .json.gz",
		file:  "leads.json.gz",
		gzip:  true,
		input: "[\n  {\"id\": 1, \"email\": \"a@x\"}\n]\n",
		want:  []xrow{{ID: 1, Line: 2}},
	}, {
		name:    "REST error response",
		file:    "leads.json",
		input:   "{\n  \"requestId\": \"e42b#14272d07d78\",\n  \"success\": false,\n  \"errors\": [{\"code\": \"1029\", \"message\": \"Export daily quota exceeded\"}]\n}\n",
		wantErr: ":5: a Marketo REST error response, not an export: 1029 Export daily quota exceeded",
	}, {
		name:    "a single pretty-printed object",
		file:    "leads.json",
		input:   "{\n  \"id\": 1,\n  \"email\": \"a@x\"\n}\n",
		wantErr: ":4: a JSON document that is neither an array of objects nor a Marketo REST response",
	}, {
		name:    "result is not an array",
		file:    "leads.json",
		input:   "{\n  \"success\": true,\n  \"result\": {\"id\": 1}\n}\n",
		wantErr: `:3: "result" is not an array`,
	}, {
		name:    "a bulk export job status is not a person export",
		file:    "status.json",
		input:   "{\n  \"requestId\": \"e42b#14272d07d78\",\n  \"success\": true,\n  \"result\": [{\"exportId\": \"ce45a7a1\", \"status\": \"Completed\"}]\n}\n",
		rejects: []xrej{{Reason: "invalid_marketo_id", Line: 4, Raw: `{"exportId": "ce45a7a1", "status": "Completed"}`}},
		unknown: []string{"exportId", "status"},
	}, {
		name:    "invalid JSON inside an element",
		file:    "leads.json",
		input:   "[\n  {\"id\": 1, \"email\": \"a@x\"},\n  {\"id\": 2,\n   \"email\" \"b@x\"}\n]\n",
		wantErr: ":4: invalid JSON: invalid character '\"' after object key",
	}, {
		name:    "truncated array",
		file:    "leads.json",
		input:   "[\n  {\"id\": 1, \"email\": \"a@x\"},\n  {\"id\": 2,",
		wantErr: ": invalid JSON",
	}, {
		name:    "data after the array",
		file:    "leads.json",
		input:   "[{\"id\": 1}]\n[{\"id\": 2}]\n",
		wantErr: ":2: more data after the JSON document",
	}}
	runReadTests(t, tests)
}

// TestJSONOwnerWarning checks the warning for a JSON export in which no
// object has any owner key (a CSV without an owner column fails instead),
// and that Marketo's externalSalesPersonId is an owner.
func TestJSONOwnerWarning(t *testing.T) {
	const warning = "no object has a sales owner key (sfdcLeadOwnerId, sfdcContactOwnerId, Contact Owner Id, salesOwnerId, externalSalesPersonId, leadOwnerEmailAddress): all its people are excluded as no_sales_owner"
	tests := []struct {
		name  string
		file  string
		input string
		warn  bool
		owner any // sales_owner_id of the first row
	}{
		{"JSON Lines without owner keys", "web.jsonl", `{"id": 1, "email": "a@x"}` + "\n" + `{"id": 2, "leadScore": 3}` + "\n", true, nil},
		{"array without owner keys", "leads.json", "[\n  {\"id\": 1, \"email\": \"a@x\"}\n]\n", true, nil},
		{"an owner key on one object, null", "web.jsonl", `{"id": 1, "email": "a@x"}` + "\n" + `{"id": 2, "sfdcLeadOwnerId": null}` + "\n", false, nil},
		{"externalSalesPersonId", "web.jsonl", `{"id": 1, "externalSalesPersonId": "0055g00000Bq7HXAAZ"}` + "\n", false, "0055g00000Bq7HXAAZ"},
		{"sfdcLeadOwnerId before externalSalesPersonId", "web.jsonl", `{"id": 1, "externalSalesPersonId": "E", "sfdcLeadOwnerId": "L"}` + "\n", false, "L"},
		{"empty file", "web.jsonl", "", false, nil},
		{"no object at all", "web.jsonl", "\"x\"\n42\n", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			path := pipelinetest.WriteFile(t, t.TempDir(), tt.file, []byte(tt.input))
			res := extractAll(t, mem, []string{path}, Options{})
			if res.err != nil {
				t.Fatal(res.err)
			}
			var want []string
			if tt.warn {
				want = []string{warning}
			}
			if got := res.stats[0].Warnings; !slices.Equal(got, want) {
				t.Errorf("Warnings = %q, want %q", got, want)
			}
			if len(res.rows) > 0 && res.rows[0].Vals["sales_owner_id"] != tt.owner {
				t.Errorf("sales_owner_id = %v, want %v", res.rows[0].Vals["sales_owner_id"], tt.owner)
			}
		})
	}
}

// TestReadJSONLDeterministic checks that the order of keys within an object
// does not make the output depend on map iteration: two spellings of one
// field with the same priority, and the list of unknown keys.
func TestReadJSONLDeterministic(t *testing.T) {
	input := `{"id": 1, "Email": "upper@x", "email": "lower@x", "zeta": 1, "alpha": 2, "mid": 3, "Zulu": 4, "beta": 5}` + "\n"
	var first result
	for i := 0; i < 50; i++ {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		path := pipelinetest.WriteFile(t, t.TempDir(), "web.jsonl", []byte(input))
		res := extractAll(t, mem, []string{path}, Options{})
		mem.AssertSize(t, 0)
		if res.err != nil {
			t.Fatal(res.err)
		}
		got := fmt.Sprint(res.rows[0].Vals["email"], res.stats[0].Unknown)
		if i == 0 {
			first = res
			continue
		}
		if want := fmt.Sprint(first.rows[0].Vals["email"], first.stats[0].Unknown); got != want {
			t.Fatalf("run %d: email and unknown columns = %s, run 0 gave %s", i, got, want)
		}
	}
	// Keys first seen on one line are taken in sorted order.
	if got := first.rows[0].Vals["email"]; got != "upper@x" {
		t.Errorf("email = %v, want upper@x (Email sorts before email)", got)
	}
	if got, want := first.stats[0].Unknown, []string{"Zulu", "alpha", "beta", "mid", "zeta"}; !slices.Equal(got, want) {
		t.Errorf("Unknown = %q, want %q", got, want)
	}
}

// TestReadJSONLLongLine checks that a line past the limit fails the file
// with its line number rather than being cut.
func TestReadJSONLLongLine(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 64 MiB file")
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var b strings.Builder
	b.WriteString(`{"id": 1, "email": "a@x"}` + "\n")
	b.WriteString(`{"id": 2, "title": "`)
	b.WriteString(strings.Repeat("x", maxLine))
	b.WriteString(`"}` + "\n")
	path := pipelinetest.WriteFile(t, t.TempDir(), "big.jsonl", []byte(b.String()))
	res := extractAll(t, mem, []string{path}, Options{})
	checkErr(t, res.err, path+":2: line longer than", path)
	if len(res.rows) != 0 {
		t.Errorf("a failed file yielded %d rows", len(res.rows))
	}
}
