package extract

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/internal/pipelinetest"
	"github.com/actsync/actsync/pipeline"
)

// checkSameAsSequential reads data as the file name in dir with one worker
// and with several on blocks of blockSize bytes, and fails unless both
// reads produce the same batches, rows, rejects, stats and error.
func checkSameAsSequential(t *testing.T, dir, name string, data []byte, batchRows, blockSize int) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	path := pipelinetest.WriteFile(t, dir, name, data)
	seq := extractAll(t, mem, []string{path}, Options{BatchRows: batchRows, Workers: 1})
	par := extractAll(t, mem, []string{path}, Options{BatchRows: batchRows, Workers: 3, blockSize: blockSize})
	errText := func(err error) string {
		if err == nil {
			return ""
		}
		return err.Error()
	}
	if errText(seq.err) != errText(par.err) {
		t.Fatalf("error: sequential %v, parallel %v", seq.err, par.err)
	}
	if !reflect.DeepEqual(seq.batches, par.batches) {
		t.Errorf("batch sizes: sequential %v, parallel %v", seq.batches, par.batches)
	}
	if !reflect.DeepEqual(seq.rows, par.rows) {
		t.Errorf("rows differ:\nsequential:%s\nparallel:%s", fmtRows(seq.rows), fmtRows(par.rows))
	}
	if !reflect.DeepEqual(seq.rejects, par.rejects) || !reflect.DeepEqual(seq.details, par.details) || !reflect.DeepEqual(seq.files, par.files) {
		t.Errorf("rejects differ:\nsequential:%s %q\nparallel:%s %q", fmtRejects(seq.rejects), seq.details, fmtRejects(par.rejects), par.details)
	}
	if !reflect.DeepEqual(seq.stats, par.stats) {
		t.Errorf("stats: sequential %+v, parallel %+v", seq.stats, par.stats)
	}
}

// FuzzParallelCSV is the differential fuzzer of the parallel CSV/TSV
// reader: on any input, any block size (down to 1 byte, so that most
// records are split) and batch size, it must produce exactly what the
// sequential reader does.
func FuzzParallelCSV(f *testing.F) {
	for _, s := range append([]string{
		"id,email,sfdcLeadOwnerId\n1,a@example.com,0055g00000Bq7HXAAZ\n2,b,O\n3,c,O\n",
		// A stray quote turns the parity: the line after looks quoted.
		"id,email,sfdcLeadOwnerId\n1,a,O\n2,b\"x,O\n3,\"c\nd\",O\n4,e,O\n5,\"f\ng\",O\n6,h,O\n",
		"id,email,sfdcLeadOwnerId\n1,\"a\"x,O\n2,\"b\n\n\",O\n\n\n3,c,O\r\n4,d,O",
		"id,email,\"sfdc\nLeadOwnerId\"\n1,a,O\n2,b,O\n",
		"id,email,sfdcLeadOwnerId\n",
		"",
	}, csvSeeds...) {
		f.Add([]byte(s), uint8(7), uint8(2), false)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, block, batch uint8, tsv bool) {
		name := "people.csv"
		if tsv {
			name = "people.tsv"
		}
		checkSameAsSequential(t, dir, name, data, 1+int(batch%8), 1+int(block))
	})
}

// bigCSV is a file of n people with quoted commas, quotes and newlines,
// CRLF line ends, blank lines and rejects; mess adds stray quotes that
// fool the splitter's quote parity after row mess.
func bigCSV(n, mess int) string {
	var b strings.Builder
	b.WriteString("\ufeffid,firstName,email,company,title,sfdcLeadOwnerId\r\n")
	for i := 1; i <= n; i++ {
		switch {
		case mess > 0 && i%mess == 0:
			fmt.Fprintf(&b, "%d,Stray\"Quote,s%d@x,Acme,CEO,O\n", i, i)
		case i%997 == 0:
			fmt.Fprintf(&b, "%d,Short,x%d@x\n", i, i)
		case i%501 == 0:
			fmt.Fprintf(&b, "n%d,Bad,b%d@x,Acme,CEO,O\n", i, i)
		case i%7 == 0:
			fmt.Fprintf(&b, "%d,\"Multi\nLine\",m%d@x,\"The \"\"Blue\"\" Door, Inc.\",\"VP,\r\nSales\",O\r\n\r\n", i, i)
		default:
			fmt.Fprintf(&b, "%d,Plain,p%d@example.com,Northwind,Analyst,0055g00000Bq7HXAAZ\n", i, i)
		}
	}
	return b.String()
}

// TestParallelSameAsSequential compares the parallel reader with the
// sequential one on larger files, with many blocks and with fallbacks.
func TestParallelSameAsSequential(t *testing.T) {
	clean := bigCSV(20000, 0)
	messy := bigCSV(20000, 6000)
	tests := []struct {
		name      string
		file      string
		data      string
		gzip      bool
		batchRows int
		blockSize int
	}{
		{"clean, small blocks", "in.csv", clean, false, 1000, 4096},
		{"clean, tiny blocks", "in.csv", clean[:20000], false, 3, 16},
		{"clean, default block", "in.csv", clean, false, 0, 0},
		{"clean, batch larger than a block", "in.csv", clean, false, 5000, 1024},
		{"clean gzip", "in.csv.gz", clean, true, 1000, 4096},
		{"tsv", "in.tsv", strings.ReplaceAll(clean, ",", "\t"), false, 1000, 4096},
		{"stray quotes", "in.csv", messy, false, 1000, 4096},
		{"stray quotes gzip", "in.csv.gz", messy, true, 1000, 4096},
		{"no newline at the end", "in.csv", strings.TrimRight(clean, "\r\n"), false, 1000, 4096},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.data)
			if tt.gzip {
				data = pipelinetest.Gzip(t, data)
			}
			checkSameAsSequential(t, t.TempDir(), tt.file, data, tt.batchRows, tt.blockSize)
		})
	}
}

// TestParallelCorruptGzip checks that a read error after many blocks fails
// the file as the sequential reader does.
func TestParallelCorruptGzip(t *testing.T) {
	full := pipelinetest.Gzip(t, []byte(bigCSV(20000, 0)))
	for _, cut := range []int{len(full) / 3, len(full) - 3} {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			checkSameAsSequential(t, t.TempDir(), "in.csv.gz", full[:cut], 1000, 4096)
		})
	}
}

// TestParallelRelease releases readers at every point of a parallel read,
// with blocks parsed ahead and goroutines running; the allocator and
// goleak (TestMain) check that nothing is left.
func TestParallelRelease(t *testing.T) {
	for _, data := range []string{bigCSV(5000, 0), bigCSV(5000, 1500)} {
		path := pipelinetest.WriteFile(t, t.TempDir(), "in.csv", []byte(data))
		srcs, err := Discover([]string{path})
		if err != nil {
			t.Fatal(err)
		}
		for _, after := range []int{0, 1, 2, 10, 100} {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			ledger := pipeline.NewLedger(mem)
			r, err := Open(srcs[0], mem, ledger, Options{BatchRows: 10, Workers: 2, blockSize: 512})
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < after && r.Next(); i++ {
			}
			r.Release()
			ledger.Close()
			mem.AssertSize(t, 0)
		}
	}
}
