package state

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// InputReject is a row of a reconcile input (activities, the two-way
// Salesforce exports) that could not be used, named by its file path and
// line. Raw holds the row as read and may hold personal data: it goes to
// the rejects table, never to a log.
type InputReject struct {
	File   string
	Line   int64
	Reason string
	Detail string
	Raw    string
}

// InputRejectSchema is the layout of a staged file of InputRejects, as
// sql/activities/activity_insert_rejects.sql reads it.
var InputRejectSchema = arrow.NewSchema([]arrow.Field{
	{Name: "path", Type: arrow.BinaryTypes.String},
	{Name: "line", Type: arrow.PrimitiveTypes.Int64},
	{Name: "reason", Type: arrow.BinaryTypes.String},
	{Name: "detail", Type: arrow.BinaryTypes.String},
	{Name: "raw", Type: arrow.BinaryTypes.String},
}, nil)

// StageInputRejects writes rejects to a staging Parquet file at path.
func StageInputRejects(path string, rejects []InputReject, mem memory.Allocator) error {
	b := array.NewRecordBuilder(mem, InputRejectSchema)
	defer b.Release()
	for _, r := range rejects {
		b.Field(0).(*array.StringBuilder).Append(r.File)
		b.Field(1).(*array.Int64Builder).Append(r.Line)
		b.Field(2).(*array.StringBuilder).Append(r.Reason)
		b.Field(3).(*array.StringBuilder).Append(r.Detail)
		b.Field(4).(*array.StringBuilder).Append(r.Raw)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	w, err := NewStagingFile(path, InputRejectSchema)
	if err != nil {
		return err
	}
	if err := w.Write(rec); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}
