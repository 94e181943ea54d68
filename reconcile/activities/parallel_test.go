package activities

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/internal/synth"
	"github.com/actsync/actsync/stages/extract"
)

// readWith is readAll with the reader's options.
func readWith(t testing.TB, path string, format extract.Format, opts options) ([]row, []Reject, int64, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r, err := open(extract.Source{Path: path, Format: format}, BuiltinTypes(), mem, opts)
	if err != nil {
		return nil, nil, 0, err
	}
	defer r.Release()
	var rows []row
	for r.Next() {
		b := r.RecordBatch()
		if b.NumRows() == 0 || b.NumRows() > DefaultBatchRows {
			t.Fatalf("batch of %d rows", b.NumRows())
		}
		rows = append(rows, toRows(b)...)
	}
	return rows, r.Rejects(), r.Stats().Rows, r.Err()
}

// checkSameAsSequential reads data with one worker and with three on
// blocks of blockSize bytes, and fails unless both reads produce the same
// rows, rejects, row count and error.
func checkSameAsSequential(t *testing.T, data []byte, format extract.Format, blockSize int) {
	t.Helper()
	path := writeFile(t, "a."+string(format), data)
	seqRows, seqRej, seqN, seqErr := readWith(t, path, format, options{workers: 1})
	parRows, parRej, parN, parErr := readWith(t, path, format, options{workers: 3, blockSize: blockSize})
	if fmt.Sprint(seqErr) != fmt.Sprint(parErr) {
		t.Fatalf("error: sequential %v, parallel %v", seqErr, parErr)
	}
	if seqErr != nil {
		return
	}
	if len(seqRows) != len(parRows) {
		t.Fatalf("rows: sequential %d, parallel %d", len(seqRows), len(parRows))
	}
	for i := range seqRows {
		if !equalRow(seqRows[i], parRows[i]) {
			t.Fatalf("row %d:\nsequential %+v\nparallel   %+v", i, seqRows[i], parRows[i])
		}
	}
	if !reflect.DeepEqual(seqRej, parRej) {
		t.Fatalf("rejects:\nsequential %+v\nparallel   %+v", seqRej, parRej)
	}
	if seqN != parN {
		t.Fatalf("rows read: sequential %d, parallel %d", seqN, parN)
	}
}

// FuzzParallelCSVActivities is the differential fuzzer of the parallel
// activities reader: on any input and any block size (down to 1 byte, so
// that most records are split) it must read exactly what the sequential
// reader does.
//
// Each input costs tens of milliseconds (a file written, two readers, a
// goroutine per block), so the fuzzer's minimisation of a new interesting
// input, which has a 60 s budget, shows as a minute or more at 0 execs/s
// between bursts of thousands. That is not a hang: no input tried took
// more than a quarter of a second (blank lines, 1-byte blocks).
func FuzzParallelCSVActivities(f *testing.F) {
	for _, s := range []string{
		header + `1,2,2026-11-02T09:30:00Z,39,,,,"{""Sent By"":""a""}",` + "\n2,3,2026-11-02T09:30:00Z,39,,,,,\n",
		"marketoGUID,leadId,activityDate,activityTypeId,campaignId,primaryAttributeValueId,primaryAttributeValue, attributes\n" +
			`122323,6,2013-09-26T06:56:35+0000,12,11,6,Owyliphys Iledil,[{"name":"Source Type","value":"Web page visit"}]` + "\n" +
			`122324,6,2013-09-26T06:56:35+0000,12,11,6,"x""y",[{"name":"Source "Type","value":"a\nb"}]` + "\n",
		header + `3,,2026-11-02T09:30:00Z,41,,,,[{"name":"Email","value":"a,b"},{"name":"x","value":","}]` + "\n\"\n",
		header + "4,1,2026-11-02,32,,,,\"{\"\"Merge IDs\"\":[1,2]}\"\r\n\r\n5,1,2026-11-02,32,,,\"multi\nline\",,\r\n",
		// A stray quote turns the parity: the line after looks quoted.
		header + "6,1,2026-11-02,32,,,a\"b,,\n7,1,2026-11-02,32,,,\"c\nd\",,\n8,1,2026-11-02,32,,,,,\n",
		header + "9,1,2026-11-02,32,,,\"open,,\n10,1,2026-11-02,32,,,,,\n",
		header,
		"",
	} {
		f.Add([]byte(s), uint8(7))
	}
	f.Fuzz(func(t *testing.T, data []byte, block uint8) {
		checkSameAsSequential(t, data, extract.CSV, 1+int(block))
	})
}

// TestParallelSameAsSequential checks the parallel reader against the
// sequential one on generated exports, with many blocks and with fallbacks.
func TestParallelSameAsSequential(t *testing.T) {
	export := func(n int, legacy bool) []byte {
		var b bytes.Buffer
		if err := synth.WriteActivities(&b, synth.ActivityOptions{N: n, People: 100, Seed: 7, LegacyAttributes: legacy}); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	object, legacy := export(3000, false), export(3000, true)
	// Stray quotes that fool the splitter's quote parity.
	lines := strings.SplitAfter(string(object), "\n")
	for i := 5; i < len(lines); i += 400 {
		lines[i] = strings.Replace(lines[i], ",", `,x"y`, 1)
	}
	messy := []byte(strings.Join(lines, ""))
	for _, tt := range []struct {
		name      string
		data      []byte
		blockSize int
	}{
		{"object, small blocks", object, 4096},
		{"object, tiny blocks", object[:20000], 16},
		{"object, default block", object, 0},
		{"legacy, small blocks", legacy, 4096},
		{"legacy, tiny blocks", legacy[:20000], 16},
		{"stray quotes, small blocks", messy, 4096},
		{"one block", object[:1000], 1 << 20},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkSameAsSequential(t, tt.data, extract.CSV, tt.blockSize)
		})
	}
	t.Run("samples", func(t *testing.T) {
		for _, f := range []string{"testdata/bulk_activity_export_example.csv", "testdata/swagger_activity_file_example_legacy.csv"} {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, bs := range []int{1, 7, 64, 300} {
				checkSameAsSequential(t, data, extract.CSV, bs)
			}
		}
	})
}
