package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/actsync/actsync/internal/pipelinetest"
	"github.com/actsync/actsync/pipeline"
)

// copyDir copies a closed state directory.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestBadInputCatalogue is the catalogue of bad inputs, each with its
// exact user-visible outcome. Per-row problems become rejects and the run
// goes on; whole-file problems fail the run with one line naming the file
// and the cause, and leave the state as it was.
func TestBadInputCatalogue(t *testing.T) {
	const header = "id,firstName,lastName,email,sfdcLeadOwnerId\n"
	const good = "2001,Ann,Lee,ann@example.com,0055g00000Bq7HXAAZ\n"
	dir := t.TempDir()
	write := func(name string, data []byte) string { return pipelinetest.WriteFile(t, dir, name, data) }
	rng := rand.New(rand.NewPCG(1, 2))
	garbage := make([]byte, 4096)
	for i := range garbage {
		garbage[i] = byte(rng.UintN(256))
	}
	gz := pipelinetest.Gzip(t, []byte(header+strings.Repeat(good, 2000)))
	write("mixed/a.csv", []byte(header+good))
	write("mixed/b.jsonl", []byte(`{"id":2011,"email":"z@example.com","sfdcLeadOwnerId":"0055g00000Bq7HXAAZ"}`+"\n"))
	write("mixed/sub/d.tsv", []byte("id\temail\tsfdcLeadOwnerId\n2012\tq@example.com\t0055g00000Bq7HXAAZ\n"))
	write("mixed/c.png", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 50)...))
	write("mixed/.hidden.csv", []byte("junk"))
	write("mixed/notes.md", []byte("# notes"))
	// A folder as a user has it, with a licence and notes as
	// .txt next to exports saved as .txt and as a REST response.
	write("folder/LICENSE.txt", []byte("                                 Apache License\n                           Version 2.0, January 2004\n"))
	write("folder/README.txt", []byte("Exports, one a day, from Marketo.\n"))
	write("folder/leads.txt", []byte("id\temail\tsfdcLeadOwnerId\n2014\tt@example.com\t0055g00000Bq7HXAAZ\n"))
	write("folder/rest.json", []byte("{\n  \"requestId\": \"e42b#1\",\n  \"success\": true,\n  \"result\": [\n    {\"id\": 2015, \"email\": \"r@example.com\", \"sfdcLeadOwnerId\": \"0055g00000Bq7HXAAZ\"}\n  ]\n}\n"))

	base := filepath.Join(dir, "base")
	runOK(t, "run", "--state", base, "--people", "../../fixtures/people/day1")
	wrongTypes := filepath.Join(dir, "wrong-types.parquet")
	runOK(t, "query", "--state", base, `COPY (SELECT 1.5::DOUBLE AS id, ['a'] AS email, '0055g00000Bq7HXAAZ' AS sfdcLeadOwnerId) TO '`+wrongTypes+`' (FORMAT parquet)`)
	oddTypes := filepath.Join(dir, "odd-types.parquet")
	runOK(t, "query", "--state", base, `COPY (SELECT 2013::DOUBLE AS id, 'p@example.com' AS email, '0055g00000Bq7HXAAZ' AS sfdcLeadOwnerId, 42 AS unsubscribed, DATE '2026-01-02' AS updatedAt) TO '`+oddTypes+`' (FORMAT parquet)`)

	tests := []struct {
		name             string
		path             string
		code             int
		want             string // the one line on stderr (code 1), with DIR for the temp dir
		synced, rejected int64  // code 0
		rejectedBy       map[string]int64
		fieldRejects     map[string]int64
		query, wantQuery string // a check of what was synced
		skipped          int    // files of a directory input skipped and listed
	}{
		{name: "empty file", path: write("empty.csv", nil), code: 1,
			want: "actsync: extract: DIR/empty.csv: empty file: no header row"},
		{name: "header only", path: write("header-only.csv", []byte(header)), synced: 0},
		{name: "binary garbage", path: write("garbage.csv", garbage), code: 1,
			want: `actsync: extract: DIR/garbage.csv:1: header: bare " in non-quoted-field`},
		{name: "headerless export", path: write("headerless.csv", []byte(good)), code: 1,
			want: "actsync: extract: DIR/headerless.csv: no column for marketo_id (id, Marketo ID, Lead ID); email (email, Email Address); sales_owner_id (sfdcLeadOwnerId, sfdcContactOwnerId, Contact Owner Id, salesOwnerId, externalSalesPersonId, leadOwnerEmailAddress); found 5 columns, none a known header: is the first line data?"},
		{name: "invalid UTF-8", path: write("utf8.csv", []byte(header+good+"2002,J\xffrg,Lee,j@example.com,0055g00000Bq7HXAAZ\n")),
			synced: 1, rejected: 1, rejectedBy: map[string]int64{"malformed_row": 1}},
		{name: "NUL bytes in a synced field", path: write("nul.csv", []byte(header+good+"2003,Nu\x00ll,Lee,n@example.com,0055g00000Bq7HXAAZ\n")),
			synced: 1, rejected: 1, rejectedBy: map[string]int64{"malformed_row": 1}},
		{name: "NUL bytes in fields that are not synced", path: write("nul-cookies.csv", []byte("id,email,sfdcLeadOwnerId,updatedAt,cookies\n2018,n@example.com,0055g00000Bq7HXAAZ,2026-11-02T08:00:00Z\x00,_mch-\x00x\nnull,m@example.com,0055g00000Bq7HXAAZ,null,null\n")),
			synced: 1, rejected: 1, rejectedBy: map[string]int64{"invalid_marketo_id": 1}, fieldRejects: map[string]int64{"nul_stripped": 2},
			query: "SELECT marketo_updated_at FROM people WHERE marketo_id = 2018", wantQuery: "marketo_updated_at\n2026-11-02 08:00:00\n"},
		{name: "NUL bytes in a column without a header", path: write("nul-unnamed.csv", []byte("id,email,sfdcLeadOwnerId,\n2019,u@example.com,0055g00000Bq7HXAAZ,a\x00b\n")),
			synced: 1, fieldRejects: map[string]int64{"nul_stripped": 1},
			query: "SELECT field, line FROM rejects WHERE source_file LIKE '%nul-unnamed.csv'", wantQuery: "field,line\ncolumn 4,2\n"},
		{name: "stray CR inside a field is kept", path: write("cr.csv", []byte(header+good+"2004,Car\rrie,Lee,c@example.com,0055g00000Bq7HXAAZ\n")),
			synced: 2, query: "SELECT first_name = 'Car' || chr(13) || 'rie' AS kept FROM people WHERE marketo_id = 2004", wantQuery: "kept\ntrue\n"},
		{name: "unterminated quote at EOF", path: write("quote.csv", []byte(header+good+`2005,"Open,Lee,o@example.com,0055g00000Bq7HXAAZ`+"\n")),
			synced: 1, rejected: 1, rejectedBy: map[string]int64{"malformed_row": 1}},
		{name: "truncated gzip", path: write("truncated.csv.gz", gz[:len(gz)/2]), code: 1,
			want: "actsync: extract: DIR/truncated.csv.gz: truncated or corrupt file: unexpected EOF"},
		{name: "10 MB field", path: write("big.csv", []byte(header+good+"2006,"+strings.Repeat("x", 10<<20)+",Lee,b@example.com,0055g00000Bq7HXAAZ\n")),
			synced: 2},
		{name: "two headers for one field: first non-empty wins", path: write("dup-header.csv", []byte("id,email,Email Address,sfdcLeadOwnerId\n2007,,second@example.com,0055g00000Bq7HXAAZ\n2008,first@example.com,second@example.com,0055g00000Bq7HXAAZ\n")),
			synced: 2, query: "SELECT marketo_id, email FROM people WHERE marketo_id IN (2007, 2008) ORDER BY ALL",
			wantQuery: "marketo_id,email\n2007,second@example.com\n2008,first@example.com\n"},
		{name: "parquet with a list column", path: wrongTypes, code: 1,
			want: `actsync: extract: DIR/wrong-types.parquet: parquet column "email" has type list<element: utf8, nullable>; only scalar columns can be read`},
		{name: "parquet with odd scalar types", path: oddTypes,
			synced: 1, fieldRejects: map[string]int64{"invalid_unsubscribed": 1}},
		{name: "JSON Lines with non-object lines", path: write("lines.jsonl", []byte(`{"id":2009,"email":"x@example.com","sfdcLeadOwnerId":"0055g00000Bq7HXAAZ"}`+"\n[1,2]\n\"str\"\n42\nnull\n{\"id\": 2010,\n")),
			synced: 1, rejected: 5, rejectedBy: map[string]int64{"malformed_row": 5}},
		{name: "glob matching nothing", path: filepath.Join(dir, "nothing-*.csv"), code: 1,
			want: "actsync: DIR/nothing-*.csv: matches no input file"},
		{name: "directory of mixed files", path: filepath.Join(dir, "mixed"), synced: 3, skipped: 2},
		{name: "folder with LICENSE.txt and README.txt", path: filepath.Join(dir, "folder"), synced: 2, skipped: 2},
		{name: "pretty-printed JSON array", path: write("array.json", []byte("[\n  {\n    \"id\": 2016,\n    \"email\": \"a@example.com\",\n    \"sfdcLeadOwnerId\": \"0055g00000Bq7HXAAZ\"\n  },\n  {\"id\": null, \"updatedAt\": null}\n]\n")),
			synced: 1, rejected: 1, rejectedBy: map[string]int64{"invalid_marketo_id": 1},
			query: "SELECT marketo_id, source_line FROM people WHERE marketo_id = 2016", wantQuery: "marketo_id,source_line\n2016,2\n"},
		{name: "REST error response", path: write("quota.json", []byte(`{"requestId":"e42b#1","success":false,"errors":[{"code":"1029","message":"Export daily quota exceeded"}]}`)), code: 1,
			want: "actsync: extract: DIR/quota.json:1: a Marketo REST error response, not an export: 1029 Export daily quota exceeded"},
		{name: "JSON of another shape", path: write("object.json", []byte("{\n  \"id\": 2017\n}\n")), code: 1,
			want: `actsync: extract: DIR/object.json:3: a JSON document that is neither an array of objects nor a Marketo REST response ({"result": [...]})`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := t.TempDir()
			copyDir(t, base, state)
			before := dumpState(t, state)
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"run", "--state", state, "--json", "--people", tt.path}, &stdout, &stderr)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tt.code, stderr.String())
			}
			if tt.code != 0 {
				if want := strings.ReplaceAll(tt.want, "DIR", dir) + "\n"; stderr.String() != want {
					t.Errorf("stderr\n%q\nwant\n%q", stderr.String(), want)
				}
				if after := dumpState(t, state); after != before {
					t.Errorf("failed run changed the state:\n--- before\n%s\n--- after\n%s", before, after)
				}
				return
			}
			var rep pipeline.Report
			if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
				t.Fatalf("report: %v\n%s", err, stdout.String())
			}
			if rep.Rows.Synced != tt.synced || rep.Rows.Rejected != tt.rejected || !rep.Rows.Balanced() {
				t.Errorf("synced %d rejected %d (rows %+v), want synced %d rejected %d", rep.Rows.Synced, rep.Rows.Rejected, rep.Rows, tt.synced, tt.rejected)
			}
			if len(rep.Skipped) != tt.skipped {
				t.Errorf("skipped files %+v, want %d", rep.Skipped, tt.skipped)
			}
			if len(rep.Rows.RejectedBy)+len(tt.rejectedBy) > 0 && !reflect.DeepEqual(rep.Rows.RejectedBy, tt.rejectedBy) {
				t.Errorf("rejects by reason %v, want %v", rep.Rows.RejectedBy, tt.rejectedBy)
			}
			if tt.query != "" {
				if got := runOK(t, "query", "--state", state, "--format", "csv", tt.query); got != tt.wantQuery {
					t.Errorf("%s:\n%s\nwant\n%s", tt.query, got, tt.wantQuery)
				}
			}
			if len(rep.Rows.FieldRejects)+len(tt.fieldRejects) > 0 && !reflect.DeepEqual(rep.Rows.FieldRejects, tt.fieldRejects) {
				t.Errorf("field rejects %v, want %v", rep.Rows.FieldRejects, tt.fieldRejects)
			}
		})
	}
}
