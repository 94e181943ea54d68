// Package dedupe is the dedupe-report stage (DESIGN R4). Duplicates are
// copied, not merged: nothing is dropped here. The stage gives every person
// the key that duplicate detection groups by, lower(trim(email)), as the
// email_key column; load stores it with the person and, after the run's
// changes are applied, reports every group of two or more active people
// sharing a key (sql/dedupe/duplicate_emails.sql). The report is computed there and
// not over the run's batches because a delta run must find duplicates
// between its people and the people already in the state.
package dedupe

import (
	"context"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/pipeline"
)

// Deduper is the dedupe-report stage; it is stateless and safe for
// concurrent use.
type Deduper struct{ mem memory.Allocator }

// New returns the stage.
func New(mem memory.Allocator) *Deduper { return &Deduper{mem: mem} }

// EmailKey is the duplicate-detection key of an email address.
func EmailKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Process borrows a pipeline.PersonSchema batch and returns it, sharing its
// columns, with email_key appended (pipeline.KeyedPersonSchema).
func (d *Deduper) Process(ctx context.Context, in arrow.RecordBatch) (arrow.RecordBatch, error) {
	email := in.Column(pipeline.PersonSchema.FieldIndices(pipeline.ColEmail)[0]).(*array.String)
	b := array.NewStringBuilder(d.mem)
	defer b.Release()
	b.Reserve(email.Len())
	b.ReserveData(len(email.ValueBytes()))
	for i := 0; i < email.Len(); i++ {
		if email.IsNull(i) {
			b.AppendNull()
			continue
		}
		b.Append(EmailKey(email.Value(i)))
	}
	key := b.NewArray()
	defer key.Release()
	cols := append(append([]arrow.Array(nil), in.Columns()...), key)
	return array.NewRecordBatch(pipeline.KeyedPersonSchema, cols, in.NumRows()), nil
}
