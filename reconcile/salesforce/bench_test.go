package salesforce

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/stages/extract"
)

// benchTaskRows is the size of BenchmarkRead's exports.
const benchTaskRows = 50_000

// writeActionsTasks writes n SIA reminder tasks: every kind of column,
// 15- and 18-character Salesforce ids, empty and null values, a subject
// with a quote and a comma in every 10th row, and a row with a bad due
// date in every 100th (a reject).
func writeActionsTasks(w io.Writer, n int, jsonl bool) {
	if !jsonl {
		fmt.Fprintln(w, "task_id,marketo_id,email,subject,due_date,status,completed,created_at,updated_at,salesforce_task_id")
	}
	for i := range n {
		subject := fmt.Sprintf("Follow up %d", i)
		if i%10 == 0 {
			subject = fmt.Sprintf(`Call "back", %d`, i)
		}
		due := fmt.Sprintf("2026-11-%02d", 1+i%28)
		if i%100 == 0 {
			due = "soon"
		}
		sfid := ""
		switch i % 3 {
		case 0:
			sfid = fmt.Sprintf("00T5g%010d", i)
		case 1:
			sfid = fmt.Sprintf("00T5g%010dEAB", i)
		}
		completed := i%4 == 0
		created := fmt.Sprintf("2026-11-%02dT%02d:%02d:00Z", 1+i%28, i%24, i%60)
		updated := fmt.Sprintf("2026-11-%02dT%02d:%02d:30.250Z", 1+i%28, i%24, i%60)
		if jsonl {
			sf := "null"
			if sfid != "" {
				sf = `"` + sfid + `"`
			}
			fmt.Fprintf(w, `{"taskId":"A-%d","marketoId":%d,"email":null,"subject":%q,"dueDate":%q,"status":"open","completed":%t,"createdAt":%q,"updatedAt":%q,"salesforceTaskId":%s}`+"\n",
				i, 1000+i, subject, due, completed, created, updated, sf)
			continue
		}
		fmt.Fprintf(w, "A-%d,%d,,\"%s\",%s,open,%t,%s,%s,%s\n",
			i, 1000+i, strings.ReplaceAll(subject, `"`, `""`), due, completed, created, updated, sfid)
	}
}

// writeSalesforceTasks writes n Salesforce Tasks as a queryAll export:
// Salesforce date-times, WhoIds of Leads and Contacts, an empty
// ActivityDate in every 7th row, a deleted task in every 20th.
func writeSalesforceTasks(w io.Writer, n int, jsonl bool) {
	if !jsonl {
		fmt.Fprintln(w, "Id,WhoId,WhatId,OwnerId,Subject,ActivityDate,Status,IsClosed,TaskSubtype,LastModifiedDate,IsDeleted")
	}
	for i := range n {
		who := fmt.Sprintf("00Q5g%010dEAF", i)
		if i%2 == 1 {
			who = fmt.Sprintf("0035g%010d", i)
		}
		date := fmt.Sprintf("2026-11-%02d", 1+i%28)
		if i%7 == 0 {
			date = ""
		}
		modified := fmt.Sprintf("2026-11-%02dT%02d:%02d:00.000+0000", 1+i%28, i%24, i%60)
		closed, deleted := i%5 == 0, i%20 == 0
		if jsonl {
			fmt.Fprintf(w, `{"Id":"00T5g%010dEAB","WhoId":%q,"WhatId":null,"OwnerId":"005000000000001AAA","Subject":"Task %d","ActivityDate":%q,"Status":"Not Started","IsClosed":%t,"TaskSubtype":"Task","LastModifiedDate":%q,"IsDeleted":%t}`+"\n",
				i, who, i, date, closed, modified, deleted)
			continue
		}
		fmt.Fprintf(w, "00T5g%010dEAB,%s,,005000000000001AAA,Task %d,%s,Not Started,%t,Task,%s,%t\n",
			i, who, i, date, closed, modified, deleted)
	}
}

// BenchmarkRead reads generated exports of 50,000 tasks (temporary files),
// CSV and JSON Lines, to the end: parsing, validation and the Arrow batches, without
// the Parquet staging.
func BenchmarkRead(b *testing.B) {
	for _, in := range []*Input{ActionsTasks, SalesforceTasks} {
		for _, format := range []extract.Format{extract.CSV, extract.JSONL} {
			b.Run(in.Name+"/"+string(format), func(b *testing.B) {
				var data bytes.Buffer
				if in == ActionsTasks {
					writeActionsTasks(&data, benchTaskRows, format == extract.JSONL)
				} else {
					writeSalesforceTasks(&data, benchTaskRows, format == extract.JSONL)
				}
				path := writeFile(b, in.Name+"."+string(format), data.Bytes())
				mem := memory.NewGoAllocator()
				src := extract.Source{Path: path, Format: format}
				b.SetBytes(int64(data.Len()))
				b.ReportAllocs()
				for b.Loop() {
					var rows int64
					stats, rejects, err := Read(src, in, mem, 0, func(rb arrow.RecordBatch) error {
						rows += rb.NumRows()
						return nil
					})
					if err != nil {
						b.Fatal(err)
					}
					if stats.Rows != benchTaskRows || rows+int64(len(rejects)) != benchTaskRows {
						b.Fatalf("read %d rows: %d staged, %d rejected", stats.Rows, rows, len(rejects))
					}
				}
			})
		}
	}
}
