package pipeline

import (
	"errors"
	"maps"
	"math"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Reject reasons. Row-level reasons take the row out of the flow; field-level
// reasons (Field set) drop one value and the row goes on.
const (
	ReasonMalformedRow     = "malformed_row"
	ReasonInvalidMarketoID = "invalid_marketo_id"
	ReasonInvalidSFDCID    = "invalid_sfdc_id"
	ReasonInvalidUpdatedAt = "invalid_updated_at"
	ReasonInvalidBoolean   = "invalid_unsubscribed"
)

// Exclusion reasons (DESIGN R2) and the other causes of deactivation.
const (
	ReasonNoSalesOwner          = "no_sales_owner"
	ReasonOwnerIsQueue          = "owner_is_queue"
	ReasonMissingFromFullExport = "missing_from_full_export"
)

// Reject is one row or field that could not be used. Raw holds the row as
// read (row level) or the offending value (field level); it may hold
// personal data, so it goes to the rejects table, never to a log.
type Reject struct {
	File   int32
	Line   int64
	Reason string
	Field  string // empty for a row-level reject
	Detail string
	Raw    string
}

// RejectSchema is the layout of Ledger.Rejects.
var RejectSchema = arrow.NewSchema([]arrow.Field{
	{Name: ColFile, Type: arrow.PrimitiveTypes.Int32},
	{Name: ColLine, Type: arrow.PrimitiveTypes.Int64},
	{Name: "reason", Type: arrow.BinaryTypes.String},
	{Name: "field", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "detail", Type: arrow.BinaryTypes.String},
	{Name: "raw", Type: arrow.BinaryTypes.String},
}, nil)

// Ledger collects the rejects of one run from every stage. It is safe for
// concurrent use. Rejects are expected to be few, so each is appended as it
// comes; Close releases the builder. Exclusions can be many (a third of a
// large export), so a ledger can hand them on in batches as they come
// (SpillExclusions) instead of holding them all.
type Ledger struct {
	mu       sync.Mutex
	b        *array.RecordBuilder
	ex       *array.RecordBuilder
	spill    BatchWriter // where exclusions go every spillN rows; nil keeps them
	spillN   int
	spillErr error
	rows     map[string]int64
	fields   map[string]int64
	excluded map[string]int64
	rowTotal int64
}

// NewLedger returns an empty ledger whose batches are allocated from mem.
func NewLedger(mem memory.Allocator) *Ledger {
	return &Ledger{
		b:        array.NewRecordBuilder(mem, RejectSchema),
		ex:       array.NewRecordBuilder(mem, ExclusionSchema),
		rows:     map[string]int64{},
		fields:   map[string]int64{},
		excluded: map[string]int64{},
	}
}

// Reject records r.
func (l *Ledger) Reject(r Reject) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Field(0).(*array.Int32Builder).Append(r.File)
	l.b.Field(1).(*array.Int64Builder).Append(r.Line)
	l.b.Field(2).(*array.StringBuilder).Append(r.Reason)
	if r.Field == "" {
		l.b.Field(3).AppendNull()
		l.rows[r.Reason]++
		l.rowTotal++
	} else {
		l.b.Field(3).(*array.StringBuilder).Append(r.Field)
		l.fields[r.Reason]++
	}
	l.b.Field(4).(*array.StringBuilder).Append(cleanText(r.Detail))
	l.b.Field(5).(*array.StringBuilder).Append(cleanText(r.Raw))
}

// cleanText makes a raw row storable as DuckDB VARCHAR, which must be valid
// UTF-8: invalid bytes and NULs become U+FFFD. It costs nothing for valid
// text.
func cleanText(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// Exclude records that the row at file:line, person marketoID, is not
// synced for reason. updatedAt is the row's updatedAt in microseconds since
// the Unix epoch, or NoTime: load compares it with the state to tell a
// stale exclusion from a deactivation.
func (l *Ledger) Exclude(marketoID int64, reason string, file int32, line int64, updatedAt int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ex.Field(0).(*array.Int64Builder).Append(marketoID)
	l.ex.Field(1).(*array.StringBuilder).Append(reason)
	l.ex.Field(2).(*array.Int32Builder).Append(file)
	l.ex.Field(3).(*array.Int64Builder).Append(line)
	if ts := l.ex.Field(4).(*array.TimestampBuilder); updatedAt == NoTime {
		ts.AppendNull()
	} else {
		ts.Append(arrow.Timestamp(updatedAt))
	}
	l.excluded[reason]++
	if l.spill != nil && l.ex.Field(0).Len() >= l.spillN {
		l.spillLocked()
	}
}

// BatchWriter takes batches it borrows; state.StagingFile is one.
type BatchWriter interface {
	Write(arrow.RecordBatch) error
}

// SpillExclusions makes the ledger hand its exclusions to w in batches of
// rows as they are recorded, instead of holding them until Exclusions. At
// 10M people about 3M rows are excluded: held in builders, which double as
// they grow, they took a quarter of a gigabyte of the Go heap while DuckDB
// was loading the people. A write error stops the spilling; FlushExclusions
// returns it.
func (l *Ledger) SpillExclusions(w BatchWriter, rows int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.spill, l.spillN = w, max(rows, 1)
}

// FlushExclusions hands the exclusions not yet spilled to the
// SpillExclusions writer, even none (so that the writer has seen at least
// one batch), and returns the first error the writer returned.
func (l *Ledger) FlushExclusions() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.spill == nil {
		return errors.New("ledger: FlushExclusions without SpillExclusions")
	}
	l.spillLocked()
	return l.spillErr
}

// spillLocked writes the exclusions held to the spill writer; l.mu is held.
func (l *Ledger) spillLocked() {
	b := l.ex.NewRecordBatch()
	defer b.Release()
	if l.spillErr == nil {
		l.spillErr = l.spill.Write(b)
	}
}

// NoTime stands for an absent or unreadable timestamp where one is passed
// as microseconds.
const NoTime = math.MinInt64

// Excluded returns the exclusion counts by reason.
func (l *Ledger) Excluded() map[string]int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.excluded)
}

// Exclusions returns the exclusions recorded so far and not spilled
// (SpillExclusions) as one batch (a new reference the caller releases) and
// empties the builder.
func (l *Ledger) Exclusions() arrow.RecordBatch {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ex.NewRecordBatch()
}

// RejectedRows is the number of rows that left the flow as rejects.
func (l *Ledger) RejectedRows() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rowTotal
}

// Counts returns the row-level and field-level reject counts by reason.
func (l *Ledger) Counts() (rows, fields map[string]int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return maps.Clone(l.rows), maps.Clone(l.fields)
}

// Rejects returns every reject recorded so far as one batch (a new reference
// the caller releases) and empties the ledger's builder.
func (l *Ledger) Rejects() arrow.RecordBatch {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.NewRecordBatch()
}

// Close releases the ledger's builders.
func (l *Ledger) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.Release()
	l.ex.Release()
}

// ExclusionSchema is the layout of Ledger.Exclusions: one row per input row
// that was eligible-checked and failed R2, with its Marketo id.
var ExclusionSchema = arrow.NewSchema([]arrow.Field{
	{Name: ColMarketoID, Type: arrow.PrimitiveTypes.Int64},
	{Name: "reason", Type: arrow.BinaryTypes.String},
	{Name: ColFile, Type: arrow.PrimitiveTypes.Int32},
	{Name: ColLine, Type: arrow.PrimitiveTypes.Int64},
	{Name: ColUpdatedAt, Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
}, nil)
