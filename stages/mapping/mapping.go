// Package mapping is the map stage: it turns the filtered raw rows into the
// 13 synced fields of DESIGN R3 plus typed side attributes
// (pipeline.PersonSchema).
//
// Text fields that need no work are passed through without copying (the
// output batch shares their buffers). Salesforce ids are normalised to 18
// characters; an invalid id is dropped from its field and recorded as a
// field-level reject (invalid_sfdc_id) while the person still syncs. The
// sales owner is normalised the same way when it is a Salesforce id, so that
// a 15- and an 18-character spelling of one user are not an owner change;
// an owner given as an email address is kept as is. unsubscribed becomes a
// boolean and updatedAt a UTC timestamp; an unreadable value is NULL and a
// field-level reject.
package mapping

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/pipeline"
)

// Mapper is the map stage. It is stateless apart from the ledger and safe
// for concurrent use.
type Mapper struct {
	mem    memory.Allocator
	ledger *pipeline.Ledger
}

// New returns a map stage that records field-level rejects in ledger.
func New(mem memory.Allocator, ledger *pipeline.Ledger) *Mapper {
	return &Mapper{mem: mem, ledger: ledger}
}

// Process maps one batch of pipeline.RawSchema to pipeline.PersonSchema.
func (m *Mapper) Process(ctx context.Context, in arrow.RecordBatch) (out arrow.RecordBatch, err error) {
	n := in.NumRows()
	files := in.Column(pipeline.RawIndex(pipeline.ColFile)).(*array.Int32)
	lines := in.Column(pipeline.RawIndex(pipeline.ColLine)).(*array.Int64)
	reject := func(i int, field, reason, detail, raw string) {
		m.ledger.Reject(pipeline.Reject{File: files.Value(i), Line: lines.Value(i), Reason: reason, Field: field, Detail: detail, Raw: raw})
	}

	cols := make([]arrow.Array, 0, len(pipeline.PersonSchema.Fields()))
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for _, f := range pipeline.PersonSchema.Fields() {
		var col arrow.Array
		switch f.Name {
		case pipeline.ColSFDCLeadID, pipeline.ColSFDCContactID, pipeline.ColSFDCAccountID, pipeline.ColSFDCOpportunityID:
			col = m.sfdcIDs(in, f.Name, false, reject)
		case pipeline.ColSalesOwnerID:
			col = m.sfdcIDs(in, f.Name, true, reject)
		case pipeline.ColMarketoUnsubscribed:
			col = m.booleans(in.Column(pipeline.RawIndex(pipeline.ColUnsubscribed)).(*array.String), reject)
		case pipeline.ColMarketoUpdatedAt:
			col = m.timestamps(in.Column(pipeline.RawIndex(pipeline.ColUpdatedAt)).(*array.String), f.Type.(*arrow.TimestampType), reject)
		default:
			col = in.Column(pipeline.RawIndex(f.Name))
			col.Retain()
		}
		cols = append(cols, col)
	}
	return array.NewRecordBatch(pipeline.PersonSchema, cols, n), nil
}

type rejectFunc func(i int, field, reason, detail, raw string)

// sfdcIDs normalises one Salesforce id column. With lenient set (the owner),
// values that are not Salesforce ids are kept as they are.
func (m *Mapper) sfdcIDs(in arrow.RecordBatch, name string, lenient bool, reject rejectFunc) arrow.Array {
	src := in.Column(pipeline.RawIndex(name)).(*array.String)
	b := array.NewStringBuilder(m.mem)
	defer b.Release()
	b.ReserveData(len(src.ValueBytes()) + 3*src.Len())
	buf := make([]byte, 0, 18)
	eachValue(b, src, func(i int, v string) {
		var ok bool
		buf, ok = AppendSFDCID(buf[:0], v)
		switch {
		case ok:
			b.BinaryBuilder.Append(buf)
		case lenient:
			b.Append(v)
		default:
			b.AppendNull()
			reject(i, name, pipeline.ReasonInvalidSFDCID, fmt.Sprintf("%s: not a 15- or 18-character Salesforce id", name), v)
		}
	})
	return b.NewArray()
}

func (m *Mapper) booleans(src *array.String, reject rejectFunc) arrow.Array {
	b := array.NewBooleanBuilder(m.mem)
	defer b.Release()
	eachValue(b, src, func(i int, v string) {
		switch strings.ToLower(v) {
		case "true", "1", "yes", "y", "t":
			b.Append(true)
		case "false", "0", "no", "n", "f":
			b.Append(false)
		default:
			b.AppendNull()
			reject(i, pipeline.ColUnsubscribed, pipeline.ReasonInvalidBoolean, "unsubscribed: not a boolean", v)
		}
	})
	return b.NewArray()
}

func (m *Mapper) timestamps(src *array.String, typ *arrow.TimestampType, reject rejectFunc) arrow.Array {
	b := array.NewTimestampBuilder(m.mem, typ)
	defer b.Release()
	eachValue(b, src, func(i int, v string) {
		t, ok := pipeline.ParseTimestamp(v)
		if !ok {
			b.AppendNull()
			reject(i, pipeline.ColUpdatedAt, pipeline.ReasonInvalidUpdatedAt, "updated_at: not a timestamp", v)
			return
		}
		b.Append(arrow.Timestamp(t.UnixMicro()))
	})
	return b.NewArray()
}

// eachValue reserves room in b for src's values, appends NULL for each NULL
// of src and calls f with the index and text of every other value; f
// appends exactly one value to b.
func eachValue(b array.Builder, src *array.String, f func(i int, v string)) {
	b.Reserve(src.Len())
	for i := 0; i < src.Len(); i++ {
		if src.IsNull(i) {
			b.AppendNull()
			continue
		}
		f(i, src.Value(i))
	}
}
