package extract

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/internal/pipelinetest"
	"github.com/actsync/actsync/pipeline"
)

// checkExtract is the fuzz oracle: it reads data as the file name in dir
// (overwriting it), and
// asserts that extract never panics, fails only with its typed errors, and
// on success accounts for every row: rows extracted + row-level rejects ==
// Stats().Rows, every marketo_id is positive, lines only grow, every reject
// has a line and its raw row, and the digest is of the bytes given. The
// checked allocator must end at 0.
func checkExtract(t *testing.T, dir, name string, data []byte, opts Options) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	path := pipelinetest.WriteFile(t, dir, name, data)
	srcs, err := Discover([]string{path})
	if err != nil {
		t.Fatalf("Discover(%s): %v", name, err)
	}
	if len(srcs) != 1 {
		t.Fatalf("Discover(%s) = %d sources", name, len(srcs))
	}
	ledger := pipeline.NewLedger(mem)
	defer ledger.Close()

	typed := func(err error) {
		t.Helper()
		var fe *FileError
		var mc *MissingColumnError
		if !errors.As(err, &fe) && !errors.As(err, &mc) {
			t.Fatalf("error %T (%v) is neither *FileError nor *MissingColumnError", err, err)
		}
	}
	r, err := Open(srcs[0], mem, ledger, opts)
	if err != nil {
		typed(err)
		return
	}
	defer r.Release()

	var extracted int64
	lastLine := int64(0)
	for r.Next() {
		rec := r.RecordBatch()
		ids := rec.Column(0).(*array.Int64)
		lines := rec.Column(pipeline.RawIndex(pipeline.ColLine)).(*array.Int64)
		for i := 0; i < ids.Len(); i++ {
			if ids.Value(i) <= 0 {
				t.Fatalf("row %d: marketo_id %d is not positive", extracted+int64(i), ids.Value(i))
			}
			if l := lines.Value(i); l <= lastLine {
				t.Fatalf("row %d: source_line %d after %d", extracted+int64(i), l, lastLine)
			} else {
				lastLine = l
			}
		}
		if ids.NullN() != 0 || lines.NullN() != 0 {
			t.Fatalf("NULL marketo_id or source_line")
		}
		extracted += rec.NumRows()
	}
	if err := r.Err(); err != nil {
		typed(err)
		return
	}
	st := r.Stats()
	rejected := ledger.RejectedRows()
	if extracted+rejected != st.Rows {
		t.Fatalf("extracted %d + rejected %d != Stats().Rows %d", extracted, rejected, st.Rows)
	}
	rows, fields := ledger.Counts()
	var fieldRejects int64
	for reason, n := range fields {
		if reason != ReasonNULStripped {
			t.Fatalf("extract made field-level rejects other than %s: %v", ReasonNULStripped, fields)
		}
		fieldRejects += n
	}
	for reason := range rows {
		if reason != pipeline.ReasonMalformedRow && reason != pipeline.ReasonInvalidMarketoID {
			t.Fatalf("unexpected reject reason %q", reason)
		}
	}
	sum := sha256.Sum256(data)
	if st.SHA256 != hex.EncodeToString(sum[:]) || st.Bytes != int64(len(data)) {
		t.Fatalf("Stats() digest %s/%d bytes, want sha256 of the %d bytes given", st.SHA256, st.Bytes, len(data))
	}
	rej := ledger.Rejects()
	defer rej.Release()
	if rej.NumRows() != rejected+fieldRejects {
		t.Fatalf("ledger holds %d rejects, counts %d rows and %d fields", rej.NumRows(), rejected, fieldRejects)
	}
	rs, _, _ := renderRejects(rej)
	for _, r := range rs {
		if r.Raw == "" || r.Line < 1 {
			t.Fatalf("reject %+v has no raw row or no line", r)
		}
	}
}

// csvSeeds are inputs both CSV fuzzers start from: a file with a BOM, CRLF
// line ends and quoted fields, a TSV with UI display names, and rows that
// are rejected each for another reason.
var csvSeeds = []string{
	"\ufeffid,firstName,lastName,email,company,title,sfdcLeadOwnerId,updatedAt\r\n" +
		"1002,Marcus,Thompson,m@example.com,\"Acme Widgets, Inc.\",\"VP, Sales\",0058a00000Tz4WkAAJ,2026-10-27T18:03:44+0000\r\n" +
		"1003,Sofia,Rossi,s@example.org,\"The \"\"Blue Door\"\" Group\",\"Director of IT\nEMEA Region\",null,null\r\n" +
		"1004,Jordan,Null,j@example.com,null,Data Analyst,  ,\r\n",
	"Marketo ID\tEmail Address\tContact Owner Id\n1012\th@example.net\t0058a00000Tz4WkAAJ\nabc\tl@x\tU1\n",
	"id,email,sfdcLeadOwnerId\n,a,O\n-5,b,O\n0,c\n12.5,d,O,x\n99999999999999999999,e,O\n2,b\"x,O\n3,\"unterminated,O\n",
}

func FuzzCSVExtract(f *testing.F) {
	fuzzExtract(f, "people.csv", append([]string{
		"id,email,sfdcLeadOwnerId\n1,a@example.com,0055g00000Bq7HXAAZ\n",
		"id,email,sfdcLeadOwnerId\n",
		"email,sfdcLeadOwnerId\na,O\n",
		"",
		// NUL bytes: stripped from a field that is not synced, a reject in
		// a synced one.
		"id,email,sfdcLeadOwnerId,updatedAt,cookies\n1,a,O,2026-11-02\x00,_mch\x00x\n2,b\x00,O,,\n",
	}, csvSeeds...))
}

func FuzzJSONLExtract(f *testing.F) {
	fuzzExtract(f, "web.jsonl", []string{
		`{"id": 1040, "email": "lucia@example.org", "phone": 34935550123, "sfdcLeadOwnerId": null, "leadOwnerEmailAddress": "dana.kim@sales.example.com", "unsubscribed": false, "leadScore": 35}` + "\n",
		"\ufeff" + `{"id": "1041", "email": "a@x", "sfdcContactOwnerId": "0058a00000Tz4WkAAJ"}` + "\r\n\r\n" + `{"id": null}` + "\r\n",
		`{"id": 7, "company": {"name": "Acme"}, "title": ["a"]}` + "\n[1]\nnull\n{\"id\": 1,\n{}\n",
		`{"id": 1e400}` + "\n" + `{"id": -0, "Email": "x", "email": "y"}` + "\n",
		"",
		// JSON documents: an array and a REST response (SniffJSON).
		"[\n  {\"id\": 1, \"email\": \"a@x\"},\n  [2],\n  {\"id\": null}\n]\n",
		`{"requestId":"1#2","result":[{"id":7,"sfdcLeadOwnerId":"O"}],"success":true}`,
		"{\n  \"success\": false,\n  \"errors\": [{\"code\": \"1029\", \"message\": \"quota\"}]\n}\n",
	})
}

// fuzzExtract fuzzes checkExtract on a file called name, starting from
// seeds.
func fuzzExtract(f *testing.F, name string, seeds []string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	// One file per fuzzing process, rewritten by each input: inputs run one
	// at a time in a process, and a fresh temp dir each would cost more
	// than the extraction.
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		checkExtract(t, dir, name, data, Options{BatchRows: 3})
	})
}

// TestOracleGzipParquet runs the fuzz oracle over a gzip and a Parquet file,
// which the fuzzers do not generate.
func TestOracleGzipParquet(t *testing.T) {
	csvData := []byte("id,email,sfdcLeadOwnerId\n1,a,O\nx,b,O\n2,\"c\n\",O\n")
	t.Run("gzip", func(t *testing.T) {
		checkExtract(t, t.TempDir(), "people.csv.gz", pipelinetest.Gzip(t, csvData), Options{BatchRows: 1})
	})
	t.Run("parquet", func(t *testing.T) {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		defer mem.AssertSize(t, 0)
		path := filepath.Join(t.TempDir(), "people.parquet")
		writeParquet(t, mem, path, peopleParquetSchema, fillPeople)
		data := readFile(t, path)
		checkExtract(t, t.TempDir(), "people.parquet", data, Options{BatchRows: 1})
	})
}
