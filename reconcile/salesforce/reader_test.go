package salesforce

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/internal/pipelinetest"
	"github.com/actsync/actsync/stages/extract"
)

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	return pipelinetest.WriteFile(t, t.TempDir(), name, data)
}

// readAll reads data as in with a checked allocator and renders each row
// as "field=value|…" (NULL fields left out, source_file left out).
func readAll(t testing.TB, in *Input, format extract.Format, data []byte, batchRows int) ([]string, []Reject, error) {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	path := writeFile(t, "in."+string(format), data)
	var rows []string
	stats, rejects, err := Read(extract.Source{Path: path, Format: format}, in, mem, batchRows, func(b arrow.RecordBatch) error {
		if !b.Schema().Equal(in.Schema()) {
			t.Fatalf("schema %v, want %v", b.Schema(), in.Schema())
		}
		for i := 0; i < int(b.NumRows()); i++ {
			var parts []string
			for c, f := range b.Schema().Fields() {
				col := b.Column(c)
				if f.Name == "source_file" || col.IsNull(i) {
					continue
				}
				parts = append(parts, f.Name+"="+col.ValueStr(i))
			}
			rows = append(rows, strings.Join(parts, "|"))
		}
		return nil
	})
	if err == nil && stats.Rows != int64(len(rows)+len(rejects)) {
		t.Errorf("stats.Rows %d != rows %d + rejects %d", stats.Rows, len(rows), len(rejects))
	}
	return rows, rejects, err
}

type rj struct {
	Line   int64
	Reason string
}

func reasons(rs []Reject) []rj {
	var out []rj
	for _, r := range rs {
		out = append(out, rj{r.Line, r.Reason})
	}
	return out
}

func TestRead(t *testing.T) {
	tests := []struct {
		name    string
		in      *Input
		format  extract.Format
		data    []byte
		want    []string
		rejects []rj
		wantErr string
	}{{
		name:   "SIA tasks: display-name headers, BOM, CRLF, 15-char link, status as completion",
		in:     ActionsTasks,
		format: extract.CSV,
		data: []byte("\ufeffTask ID,Marketo ID,Subject,Due Date,Status,Updated At,Salesforce Task ID,Priority\r\n" +
			"A-1,1001, Call back ,2026-11-25,Completed,2026-11-19T09:00:00Z,00T5g00000Tk101,high\r\n" +
			"A-2,null,x,2026-11-25,open,2026-11-19T09:00:00Z,,\r\n"),
		want: []string{
			"task_id=A-1|marketo_id=1001|subject=Call back|due_date=2026-11-25|status=Completed|updated_at=2026-11-19T09:00:00|salesforce_task_id=00T5g00000Tk101EAB|source_line=2",
		},
		rejects: []rj{{3, "missing_person"}},
	}, {
		name:   "SIA tasks: every row problem",
		in:     ActionsTasks,
		format: extract.CSV,
		data: []byte("task_id,marketo_id,email,subject,due_date,completed,updated_at,salesforce_task_id\n" +
			",1,,s,2026-11-25,false,2026-11-19T09:00:00Z,\n" +
			"A,-4,,s,2026-11-25,false,2026-11-19T09:00:00Z,\n" +
			"A,1,,s,25/11/2026,false,2026-11-19T09:00:00Z,\n" +
			"A,1,,s,2026-11-25,perhaps,2026-11-19T09:00:00Z,\n" +
			"A,1,,s,2026-11-25,false,yesterday,\n" +
			"A,1,,s,2026-11-25,false,2026-11-19T09:00:00Z,00T-not-an-id\n" +
			"A,1,,,2026-11-25,false,2026-11-19T09:00:00Z,\n" +
			"A,1,,s,2026-11-25\n" +
			"A,1,,\"s\"x,2026-11-25,false,2026-11-19T09:00:00Z,\n" +
			"B,,b@x.example,s,,1,2026-11-19 09:00:00,\n"),
		want: []string{"task_id=B|email=b@x.example|subject=s|completed=true|updated_at=2026-11-19T09:00:00|source_line=11"},
		rejects: []rj{{2, "missing_task_id"}, {3, "invalid_marketo_id"}, {4, "invalid_due_date"}, {5, "invalid_completed"},
			{6, "invalid_updated_at"}, {7, "invalid_salesforce_task_id"}, {8, "missing_subject"}, {9, "malformed_row"}, {10, "malformed_row"}},
	}, {
		name:    "SIA tasks: no person column fails the file",
		in:      ActionsTasks,
		format:  extract.CSV,
		data:    []byte("task_id,subject,updated_at\nA,s,2026-11-19T09:00:00Z\n"),
		wantErr: "no column marketo_id or email",
	}, {
		name:   "Salesforce tasks: Salesforce date-times, defaults, non-task ids",
		in:     SalesforceTasks,
		format: extract.CSV,
		data: []byte("Id,WhoId,Subject,ActivityDate,LastModifiedDate,IsDeleted\n" +
			"00T5g00000Tk101,00Q5g00000DkT3aEAF,Hi,2026-11-25,2026-11-19T15:00:00.000+0000,\n" +
			"00Q5g00000DkT3aEAF,,Hi,2026-11-25,2026-11-19T15:00:00.000+0000,\n" +
			"00T5g00000Tk102EAB,,Hi,2026-11-25,,\n"),
		want:    []string{"id=00T5g00000Tk101EAB|who_id=00Q5g00000DkT3aEAF|subject=Hi|activity_date=2026-11-25|is_closed=false|last_modified_date=2026-11-19T15:00:00|is_deleted=false|source_line=2"},
		rejects: []rj{{3, "not_a_task_id"}, {4, "missing_last_modified_date"}},
	}, {
		name:    "Salesforce tasks: missing Id column",
		in:      SalesforceTasks,
		format:  extract.CSV,
		data:    []byte("WhoId,Subject,LastModifiedDate\n"),
		wantErr: "no column id",
	}, {
		// Without IsDeleted no deletion could ever be seen: refuse the
		// export rather than silently never delete.
		name:    "Salesforce tasks: missing IsDeleted column",
		in:      SalesforceTasks,
		format:  extract.CSV,
		data:    []byte("Id,WhoId,Subject,LastModifiedDate\n"),
		wantErr: "no column is_deleted",
	}, {
		name:   "SIA unsubscribes: JSON Lines, unsubscribed defaults to true",
		in:     ActionsUnsubscribes,
		format: extract.JSONL,
		data: []byte(`{"marketoId": 1021, "unsubscribedAt": "2026-11-19T12:00:00Z"}` + "\n\n" +
			`{"email": "x@y.example", "unsubscribed": false}` + "\n" +
			`{"unsubscribed": true}` + "\n" +
			`{"marketoId": {"a": 1}}` + "\n" +
			`[1, 2]` + "\n" +
			`{"marketoId": 5} trailing`),
		want: []string{
			"marketo_id=1021|unsubscribed=true|source_line=1",
			"email=x@y.example|unsubscribed=false|source_line=3",
		},
		rejects: []rj{{4, "missing_person"}, {5, "malformed_row"}, {6, "malformed_row"}, {7, "malformed_row"}},
	}, {
		name:   "Salesforce opt-outs: gzip TSV, Lead and Contact only",
		in:     SalesforceOptouts,
		format: extract.TSV,
		data: pipelinetest.Gzip(t, []byte("Id\tEmail\tHasOptedOutOfEmail\tLastModifiedDate\n"+
			"0035g00000Mt4HqAAJ\tm@x.example\tTRUE\t2026-11-19T09:00:00Z\n"+
			"0015g00000AcM3wAAF\t\ttrue\t\n"+
			"00Q5g00000DkT3aEAF\t\t\t\n")),
		want:    []string{"id=0035g00000Mt4HqAAJ|email=m@x.example|has_opted_out_of_email=true|last_modified_date=2026-11-19T09:00:00|source_line=2"},
		rejects: []rj{{3, "not_lead_or_contact"}, {4, "missing_has_opted_out_of_email"}},
	}, {
		name:    "empty file",
		in:      SalesforceOptouts,
		format:  extract.CSV,
		data:    nil,
		wantErr: "empty file",
	}, {
		name:    "Parquet is refused",
		in:      SalesforceOptouts,
		format:  extract.Parquet,
		data:    []byte("PAR1"),
		wantErr: "not Parquet",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, rejects, err := readAll(t, tt.in, tt.format, tt.data, 1)
			if tt.wantErr != "" {
				var fe *extract.FileError
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.As(err, &fe) {
					t.Fatalf("err %v, want a FileError mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rows, tt.want) {
				t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(tt.want, "\n"))
			}
			if got := reasons(rejects); !reflect.DeepEqual(got, tt.rejects) {
				t.Errorf("rejects %v, want %v", got, tt.rejects)
			}
			for _, r := range rejects {
				if r.File == "" || r.Detail == "" {
					t.Errorf("reject without file or detail: %+v", r)
				}
			}
		})
	}
}

// TestReadFixtures reads every fixture of fixtures/salesforce/ whole, in
// batches of 2 rows: the batches add up and nothing leaks.
func TestReadFixtures(t *testing.T) {
	files, _ := filepath.Glob("../../fixtures/salesforce/*/*")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, path := range files {
		var in *Input
		for _, c := range Inputs {
			if strings.HasPrefix(filepath.Base(path), c.Name+".") {
				in = c
			}
		}
		if in == nil {
			t.Fatalf("%s: which input?", path)
		}
		src, err := extract.Discover([]string{path})
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(path)
		rows, rejects, err := readAll(t, in, src[0].Format, data, 2)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if len(rows) == 0 {
			t.Errorf("%s: no rows (%d rejects)", path, len(rejects))
		}
	}
}

// TestJSONLSpellingsAreDeterministic: two keys of one field, both set,
// give the same row every time (the first in sorted key order).
func TestJSONLSpellingsAreDeterministic(t *testing.T) {
	data := []byte(`{"id":"003000000000001","Id":"003000000000002AAA","ID":"","HasOptedOutOfEmail":true}`)
	for range 20 {
		rows, _, err := readAll(t, SalesforceOptouts, extract.JSONL, data, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || !strings.HasPrefix(rows[0], "id=003000000000002AAA|") {
			t.Fatalf("rows %q", rows)
		}
	}
}

// TestJSONLTextAfterTheObject: what a JSON line may hold after its object
// is what a json.Decoder leaves, as it always was: a closing bracket is
// not "more", anything else is.
func TestJSONLTextAfterTheObject(t *testing.T) {
	data := []byte(`{"marketoId":5}}` + "\n" + `{"marketoId":6} ]` + "\n" + `{"marketoId":7} x` + "\n" + `{"marketoId":8},` + "\n" + `null` + "\n" + `{"marketoId":9}  ` + "\n")
	rows, rejects, err := readAll(t, ActionsUnsubscribes, extract.JSONL, data, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"marketo_id=5|unsubscribed=true|source_line=1", "marketo_id=6|unsubscribed=true|source_line=2", "marketo_id=9|unsubscribed=true|source_line=6"}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows %q, want %q", rows, want)
	}
	if got := reasons(rejects); !reflect.DeepEqual(got, []rj{{3, ReasonMalformedRow}, {4, ReasonMalformedRow}, {5, ReasonMalformedRow}}) {
		t.Errorf("rejects %v", got)
	}
}
