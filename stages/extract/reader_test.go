package extract

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/internal/pipelinetest"
	"github.com/actsync/actsync/pipeline"
)

// TestBatchRows checks that batches hold at most BatchRows rows, that
// rejected rows do not count towards a batch, and that no empty batch is
// yielded.
func TestBatchRows(t *testing.T) {
	const hdr = "id,email,sfdcLeadOwnerId\n"
	tests := []struct {
		name      string
		input     string
		batchRows int
		want      []int
		ids       []int64
	}{
		{"5 rows by 2", hdr + "1,a,O\n2,b,O\n3,c,O\n4,d,O\n5,e,O\n", 2, []int{2, 2, 1}, []int64{1, 2, 3, 4, 5}},
		{"4 rows by 2", hdr + "1,a,O\n2,b,O\n3,c,O\n4,d,O\n", 2, []int{2, 2}, []int64{1, 2, 3, 4}},
		{"rejects in between", hdr + "1,a,O\nx,b,O\n2,c,O\n3\n4,d,O\n0,e,O\n5,f,O\n6,g,O\n", 2, []int{2, 2, 1}, []int64{1, 2, 4, 5, 6}},
		{"by 1", hdr + "1,a,O\n2,b,O\n3,c,O\n", 1, []int{1, 1, 1}, []int64{1, 2, 3}},
		{"default", hdr + "1,a,O\n2,b,O\n3,c,O\n", 0, []int{3}, []int64{1, 2, 3}},
		{"negative is the default", hdr + "1,a,O\n2,b,O\n", -1, []int{2}, []int64{1, 2}},
		{"only rejects", hdr + "x,a,O\n0,b,O\n", 2, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			path := pipelinetest.WriteFile(t, t.TempDir(), "in.csv", []byte(tt.input))
			res := extractAll(t, mem, []string{path}, Options{BatchRows: tt.batchRows})
			if res.err != nil {
				t.Fatal(res.err)
			}
			if !slices.Equal(res.batches, tt.want) {
				t.Errorf("batch sizes = %v, want %v", res.batches, tt.want)
			}
			var ids []int64
			for _, r := range res.rows {
				ids = append(ids, r.ID)
			}
			if !slices.Equal(ids, tt.ids) {
				t.Errorf("ids = %v, want %v", ids, tt.ids)
			}
		})
	}
}

// TestStats checks what a reader reports about its file: every data row is
// counted, rejected or not, and the digest and size are of the file's bytes
// (compressed, for gzip).
func TestStats(t *testing.T) {
	big := peopleCSV(20000)
	tests := []struct {
		name    string
		file    string
		input   string
		gzip    bool
		format  Format
		rows    int64
		unknown []string
	}{
		{"csv", "in.csv", "id,email,sfdcLeadOwnerId,x\n1,a,O,1\nbad,b,O,2\n3,c\n\n4,d,O,4\n", false, CSV, 4, []string{"x"}},
		{"csv larger than the read buffer", "in.csv", big, false, CSV, 20000, nil},
		{"header only", "in.csv", "id,email,sfdcLeadOwnerId\n", false, CSV, 0, nil},
		{"gzip", "in.csv.gz", "id,email,sfdcLeadOwnerId\n1,a,O\n2,b,O\n", true, CSV, 2, nil},
		{"gzip larger than the read buffer", "in.csv.gz", big, true, CSV, 20000, nil},
		{"tsv", "in.tsv", "id\temail\tsfdcLeadOwnerId\n1\ta\tO\n", false, TSV, 1, nil},
		{"jsonl", "in.jsonl", "{\"id\":1}\n\n[]\n{\"id\":0,\"k\":1}\n", false, JSONL, 3, []string{"k"}},
		{"empty jsonl", "in.jsonl", "", false, JSONL, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			data := []byte(tt.input)
			if tt.gzip {
				data = pipelinetest.Gzip(t, data)
			}
			path := pipelinetest.WriteFile(t, t.TempDir(), tt.file, data)
			res := extractAll(t, mem, []string{path}, Options{BatchRows: 1000})
			if res.err != nil {
				t.Fatal(res.err)
			}
			st := res.stats[0]
			if st.Path != path || st.Format != string(tt.format) || st.Gzip != tt.gzip {
				t.Errorf("Stats() = {Path: %s, Format: %s, Gzip: %v}, want {%s, %s, %v}", st.Path, st.Format, st.Gzip, path, tt.format, tt.gzip)
			}
			if st.Rows != tt.rows {
				t.Errorf("Stats().Rows = %d, want %d", st.Rows, tt.rows)
			}
			if got := int64(len(res.rows) + len(res.rejects)); got != st.Rows {
				t.Errorf("rows %d + rejects %d != Stats().Rows %d", len(res.rows), len(res.rejects), st.Rows)
			}
			if !slices.Equal(st.Unknown, tt.unknown) {
				t.Errorf("Stats().Unknown = %q, want %q", st.Unknown, tt.unknown)
			}
			checkDigest(t, path, st.SHA256, st.Bytes)
		})
	}
}

// TestReadFiles reads two files of one run: rows and rejects carry the
// index of their file.
func TestReadFiles(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	dir := t.TempDir()
	pipelinetest.WriteFile(t, dir, "1-contacts.tsv", []byte("Marketo ID\tEmail Address\tContact Owner Id\n1012\th@x\tU3\nabc\tl@x\tU1\n"))
	pipelinetest.WriteFile(t, dir, "2-web.jsonl", []byte(`{"id": 1040, "email": "l@x", "leadOwnerEmailAddress": "d@x"}`+"\n"+`{"id": null}`+"\n"))
	res := extractAll(t, mem, []string{dir}, Options{})
	if res.err != nil {
		t.Fatal(res.err)
	}
	checkRows(t, res.rows, []xrow{
		{ID: 1012, File: 0, Line: 2, Vals: m{"email": "h@x", "sales_owner_id": "U3"}},
		{ID: 1040, File: 1, Line: 1, Vals: m{"email": "l@x", "sales_owner_id": "d@x"}},
	})
	checkRejects(t, res.rejects, []xrej{
		{Reason: "invalid_marketo_id", Line: 3, Raw: "abc\tl@x\tU1"},
		{Reason: "invalid_marketo_id", Line: 2, Raw: `{"id": null}`},
	})
	if !slices.Equal(res.files, []int32{0, 1}) {
		t.Errorf("reject files = %v, want [0 1]", res.files)
	}
	if len(res.stats) != 2 || res.stats[0].Format != "tsv" || res.stats[1].Format != "jsonl" {
		t.Errorf("stats = %+v", res.stats)
	}
}

// TestMissingColumnError checks the error for a file without required
// columns: its type, the file, every missing field at once, what was found
// (capped for a wide export) and the spellings a user would type.
func TestMissingColumnError(t *testing.T) {
	// A Bulk Lead Extract of 129 columns without email or owner.
	wide := []string{"id", "firstName", "lastName"}
	for i := len(wide); i < 129; i++ {
		wide = append(wide, fmt.Sprintf("Custom_Field_%d__c", i))
	}
	tests := []struct {
		name    string
		file    string
		input   string
		missing []string
		found   []string
		want    string // the message after "FILE: "
	}{
		{"no owner", "missing_owner_column.csv", "\ufeffid,firstName,email,sfdcType\r\n1051,Nora,n@x,Lead\r\n",
			[]string{pipeline.ColSalesOwnerID}, []string{"id", "firstName", "email", "sfdcType"},
			"no column for sales_owner_id (sfdcLeadOwnerId, sfdcContactOwnerId, Contact Owner Id, salesOwnerId, externalSalesPersonId, leadOwnerEmailAddress); found 4 columns: id, firstName, email, sfdcType"},
		{"no email", "contacts.tsv", "Marketo ID\tContact Owner Id\n1\tO\n",
			[]string{pipeline.ColEmail}, []string{"Marketo ID", "Contact Owner Id"},
			"no column for email (email, Email Address); found 2 columns: Marketo ID, Contact Owner Id"},
		{"no id, no owner", "in.csv", "Email,Owner,leadScore\na@x,O,1\n",
			[]string{pipeline.ColMarketoID, pipeline.ColSalesOwnerID}, []string{"Email", "Owner", "leadScore"},
			"no column for marketo_id (id, Marketo ID, Lead ID); sales_owner_id (sfdcLeadOwnerId, sfdcContactOwnerId, Contact Owner Id, salesOwnerId, externalSalesPersonId, leadOwnerEmailAddress); found 3 columns: Email, Owner, leadScore"},
		{"gzip, no owner", "in.csv.gz", "id,email\n1,a@x\n",
			[]string{pipeline.ColSalesOwnerID}, []string{"id", "email"},
			"no column for sales_owner_id (sfdcLeadOwnerId, sfdcContactOwnerId, Contact Owner Id, salesOwnerId, externalSalesPersonId, leadOwnerEmailAddress); found 2 columns: id, email"},
		{"129 columns, no email, no owner", "bulk.csv", strings.Join(wide, ",") + "\n",
			[]string{pipeline.ColEmail, pipeline.ColSalesOwnerID}, wide,
			"no column for email (email, Email Address); sales_owner_id (sfdcLeadOwnerId, sfdcContactOwnerId, Contact Owner Id, salesOwnerId, externalSalesPersonId, leadOwnerEmailAddress); found 129 columns: id, firstName, lastName, Custom_Field_3__c, Custom_Field_4__c, Custom_Field_5__c, Custom_Field_6__c, Custom_Field_7__c, Custom_Field_8__c, Custom_Field_9__c, Custom_Field_10__c, Custom_Field_11__c, and 117 more"},
		{"headerless: the values stay out", "headerless.csv", "1001,ann@example.com,Ann\n",
			[]string{pipeline.ColMarketoID, pipeline.ColEmail, pipeline.ColSalesOwnerID}, []string{"1001", "ann@example.com", "Ann"},
			"no column for marketo_id (id, Marketo ID, Lead ID); email (email, Email Address); sales_owner_id (sfdcLeadOwnerId, sfdcContactOwnerId, Contact Owner Id, salesOwnerId, externalSalesPersonId, leadOwnerEmailAddress); found 3 columns, none a known header: is the first line data?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			data := []byte(tt.input)
			if strings.HasSuffix(tt.file, ".gz") {
				data = pipelinetest.Gzip(t, data)
			}
			path := pipelinetest.WriteFile(t, t.TempDir(), tt.file, data)
			res := extractAll(t, mem, []string{path}, Options{})
			var mc *MissingColumnError
			if !errors.As(res.err, &mc) {
				t.Fatalf("error = %v (%T), want a *MissingColumnError", res.err, res.err)
			}
			if mc.File != path || !slices.Equal(mc.Missing, tt.missing) || !slices.Equal(mc.Found, tt.found) {
				t.Errorf("MissingColumnError = %+v, want file %s, missing %q, found %q", mc, path, tt.missing, tt.found)
			}
			if msg := res.err.Error(); msg != path+": "+tt.want {
				t.Errorf("message\n%q\nwant\n%q", msg, path+": "+tt.want)
			}
			if msg := res.err.Error(); len(msg) > 600+len(path) {
				t.Errorf("message is %d bytes, want at most 600 besides the path", len(msg)-len(path))
			}
		})
	}
}

// TestRequiredSpellings checks that the spellings the missing-column error
// offers are accepted, each for its own column.
func TestRequiredSpellings(t *testing.T) {
	for _, col := range required {
		if len(requiredSpellings[col]) == 0 {
			t.Errorf("%s: no spellings to offer", col)
		}
		for _, h := range requiredSpellings[col] {
			if sp, ok := spellings[NormalizeHeader(h)]; !ok || sp.col != pipeline.RawIndex(col) {
				t.Errorf("%s: offered spelling %q is not accepted for it", col, h)
			}
		}
	}
}

// TestCorruptGzip checks that a gzip file that ends early or fails its
// checksum fails the whole file with a *FileError naming it, and yields no
// rows.
func TestCorruptGzip(t *testing.T) {
	full := pipelinetest.Gzip(t, []byte(peopleCSV(5000)))
	badCRC := slices.Clone(full)
	badCRC[len(badCRC)-8] ^= 0xff // first byte of the CRC-32 trailer
	tests := []struct {
		name    string
		data    []byte
		wantErr string
	}{
		{"cut in the header", full[:5], "gzip: unexpected EOF"},
		{"cut after the header", full[:12], "unexpected EOF"},
		{"cut in the middle", full[:len(full)/2], "truncated or corrupt file: unexpected EOF"},
		{"cut in the trailer", full[:len(full)-3], "truncated or corrupt file: unexpected EOF"},
		{"bad checksum", badCRC, "truncated or corrupt file: gzip: invalid checksum"},
		{"short garbage after the stream", append(slices.Clone(full), "garbage!"...), "truncated or corrupt file: unexpected EOF"},
		{"garbage after the stream", append(slices.Clone(full), "garbage after the end\n"...), "truncated or corrupt file: gzip: invalid header"},
	}
	for _, tt := range tests {
		for _, batch := range []int{0, 100} {
			t.Run(fmt.Sprintf("%s/batch=%d", tt.name, batch), func(t *testing.T) {
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				path := pipelinetest.WriteFile(t, t.TempDir(), "full.csv.gz", tt.data)
				res := extractAll(t, mem, []string{path}, Options{BatchRows: batch})
				checkErr(t, res.err, tt.wantErr, path)
				var fe *FileError
				if !errors.As(res.err, &fe) || fe.File != path {
					t.Errorf("error = %#v, want a *FileError with File %s", res.err, path)
				}
				if batch == 0 && len(res.rows) != 0 {
					t.Errorf("a failed file yielded %d rows in one batch", len(res.rows))
				}
				if strings.Count(res.err.Error(), path) != 1 {
					t.Errorf("error %q names the file more than once", res.err)
				}
			})
		}
	}
}

// TestOpenErrors checks files that cannot be opened at all.
func TestOpenErrors(t *testing.T) {
	mem, ledger := pipelinetest.NewLedger(t)

	missing := filepath.Join(t.TempDir(), "gone.csv")
	r, err := Open(Source{Path: missing, Format: CSV}, mem, ledger, Options{})
	var fe *FileError
	if r != nil || !errors.As(err, &fe) || fe.File != missing || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(missing) = %v, %v; want a *FileError wrapping os.ErrNotExist", r, err)
	}

	// A Source whose Gzip flag comes from its name but whose content is not
	// gzip fails at Open, whatever the format.
	path := pipelinetest.WriteFile(t, t.TempDir(), "web.jsonl.gz", []byte(`{"id": 1}`))
	r, err = Open(Source{Path: path, Format: JSONL, Gzip: true}, mem, ledger, Options{})
	if r != nil || !errors.As(err, &fe) || !strings.Contains(err.Error(), "not gzip") {
		t.Errorf("Open(.jsonl.gz, not gzip) = %v, %v; want a *FileError", r, err)
	}
}

// TestReaderLifecycle checks reference counting and that a reader may be
// released at any point: before reading, mid-file and after the end.
func TestReaderLifecycle(t *testing.T) {
	mem, ledger := pipelinetest.NewLedger(t)
	dir := t.TempDir()
	csvPath := pipelinetest.WriteFile(t, dir, "in.csv", []byte(peopleCSV(10)))
	pqPath := filepath.Join(dir, "in.parquet")
	writeParquet(t, mem, pqPath, peopleParquetSchema, fillPeople)
	srcs, err := Discover([]string{csvPath, pqPath})
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range srcs {
		t.Run(string(src.Format), func(t *testing.T) {
			// Released without reading.
			r, err := Open(src, mem, ledger, Options{BatchRows: 2})
			if err != nil {
				t.Fatal(err)
			}
			r.Release()

			// Released mid-file, holding a batch, after an extra Retain.
			r, err = Open(src, mem, ledger, Options{BatchRows: 2})
			if err != nil {
				t.Fatal(err)
			}
			if !r.Next() {
				t.Fatalf("Next = false, err %v", r.Err())
			}
			rec := r.RecordBatch()
			if r.Record() != rec {
				t.Errorf("Record() and RecordBatch() differ")
			}
			if !r.Schema().Equal(pipeline.RawSchema) {
				t.Errorf("Schema() is not pipeline.RawSchema")
			}
			rec.Retain() // a consumer keeping the batch past Next
			r.Retain()
			r.Release()
			if !r.Next() { // still usable: one reference left
				t.Fatalf("Next after Retain/Release = false, err %v", r.Err())
			}
			r.Release()
			if rec.NumRows() != 2 {
				t.Errorf("retained batch has %d rows, want 2", rec.NumRows())
			}
			rec.Release()

			// Read to the end, then Next again, then released.
			r, err = Open(src, mem, ledger, Options{BatchRows: 2})
			if err != nil {
				t.Fatal(err)
			}
			for r.Next() {
			}
			if r.Next() || r.RecordBatch() != nil || r.Err() != nil {
				t.Errorf("after the end: Next true, batch %v or err %v", r.RecordBatch(), r.Err())
			}
			r.Release()
		})
	}
	rej := ledger.Rejects()
	rej.Release()
}

// TestFixtures reads the repository's people fixtures (fixtures/README.md)
// and checks the counts and a few rows the README spells out.
func TestFixtures(t *testing.T) {
	root := filepath.Join("..", "..", "fixtures", "people")
	if _, err := os.Stat(root); err != nil {
		t.Skip("no fixtures:", err)
	}
	tests := []struct {
		dir      string
		rows     []int64 // Stats().Rows per file
		rejected int
		check    []xrow
	}{
		{"day1", []int64{12, 29}, 5, []xrow{
			{ID: 1038, File: 0, Line: 12, Vals: m{"first_name": "José"}},
			{ID: 1003, File: 1, Line: 4, Vals: m{"title": "Director of IT\nEMEA Region", "company": `The "Blue Door" Group`}},
			{ID: 1004, File: 1, Line: 6, Vals: m{"last_name": "Null", "phone": nil, "linkedin_url": nil}},
			{ID: 1008, File: 1, Line: 10, Vals: m{"sales_owner_id": nil}},
			{ID: 1013, File: 1, Line: 15, Vals: m{"sales_owner_id": "0055g00000Hj3VsAAJ"}},
		}},
		{"day2", []int64{12, 5}, 1, []xrow{
			{ID: 1040, File: 1, Line: 1, Vals: m{"sales_owner_id": "dana.kim@sales.example.com", "unsubscribed": "false"}},
			{ID: 1041, File: 1, Line: 2, Vals: m{"sales_owner_id": "0058a00000Tz4WkAAJ"}},
		}},
		{"day3", []int64{35}, 0, []xrow{
			{ID: 1040, File: 0, Line: 35, Vals: m{"sales_owner_id": "dana.kim@sales.example.com"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			res := extractAll(t, mem, []string{filepath.Join(root, tt.dir)}, Options{})
			if res.err != nil {
				t.Fatal(res.err)
			}
			var rows []int64
			for _, st := range res.stats {
				rows = append(rows, st.Rows)
			}
			if !slices.Equal(rows, tt.rows) || len(res.rejects) != tt.rejected {
				t.Errorf("rows per file = %v, rejects %d; want %v, %d", rows, len(res.rejects), tt.rows, tt.rejected)
			}
			for _, want := range tt.check {
				i := slices.IndexFunc(res.rows, func(r xrow) bool { return r.File == want.File && r.Line == want.Line })
				if i < 0 {
					t.Errorf("no row at file %d line %d", want.File, want.Line)
					continue
				}
				checkRows(t, res.rows[i:i+1], []xrow{want})
			}
		})
	}
}

// TestConcurrentReaders reads several files at once into one ledger and
// one allocator, as the runner does with Parallel > 1 (run with -race).
func TestConcurrentReaders(t *testing.T) {
	mem, ledger := pipelinetest.NewLedger(t)

	dir := t.TempDir()
	const files, perFile = 6, 500
	for f := range files {
		var b strings.Builder
		b.WriteString("id,email,sfdcLeadOwnerId\n")
		for i := range perFile {
			if i%50 == 0 {
				b.WriteString("bad,x@x,O\n")
			}
			fmt.Fprintf(&b, "%d,p%d@x,O\n", f*perFile+i+1, i)
		}
		pipelinetest.WriteFile(t, dir, fmt.Sprintf("part-%d.csv", f), []byte(b.String()))
	}
	srcs, err := Discover([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	type out struct {
		rows  int64
		stats pipeline.Input
		err   error
	}
	results := make([]out, len(srcs))
	var wg sync.WaitGroup
	for i, src := range srcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := Open(src, mem, ledger, Options{BatchRows: 64})
			if err != nil {
				results[i].err = err
				return
			}
			defer r.Release()
			for r.Next() {
				results[i].rows += r.RecordBatch().NumRows()
			}
			results[i].err = r.Err()
			results[i].stats = r.Stats()
		}()
	}
	wg.Wait()
	for i, res := range results {
		if res.err != nil || res.rows != perFile || res.stats.Rows != perFile+perFile/50 {
			t.Errorf("file %d: %d rows, stats %d rows, err %v", i, res.rows, res.stats.Rows, res.err)
		}
	}
	if got := ledger.RejectedRows(); got != files*perFile/50 {
		t.Errorf("rejected rows = %d, want %d", got, files*perFile/50)
	}
	rej := ledger.Rejects()
	defer rej.Release()
	if rej.NumRows() != files*perFile/50 {
		t.Errorf("ledger batch has %d rejects", rej.NumRows())
	}
}
