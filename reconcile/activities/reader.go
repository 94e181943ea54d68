package activities

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/pipeline"
	"github.com/actsync/actsync/stages/extract"
	"github.com/actsync/actsync/state"
)

// Reject reasons of activity rows.
const (
	ReasonMalformedRow        = pipeline.ReasonMalformedRow
	ReasonMalformedAttributes = "malformed_attributes"
	ReasonInvalidActivityDate = "invalid_activity_date"
)

// Schema is what a Reader yields: one row per activity that could be
// parsed. attributes is a compact JSON object keyed by display name (the
// legacy name/value array is converted); email and merge_ids are read from
// the attributes for the reconcile SQL; type_name, category and sales_kind
// come from the Types table. source_file indexes the run's activity inputs.
var Schema = arrow.NewSchema([]arrow.Field{
	{Name: "marketo_guid", Type: arrow.BinaryTypes.String},
	{Name: "lead_id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "activity_date", Type: &arrow.TimestampType{Unit: arrow.Microsecond}},
	{Name: "activity_type_id", Type: arrow.PrimitiveTypes.Int32},
	{Name: "type_name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "category", Type: arrow.BinaryTypes.String},
	{Name: "sales_kind", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "campaign_id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "primary_attribute_value_id", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "primary_attribute_value", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "attributes", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "action_result", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "email", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "merge_ids", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64), Nullable: true},
	{Name: pipeline.ColFile, Type: arrow.PrimitiveTypes.Int32},
	{Name: pipeline.ColLine, Type: arrow.PrimitiveTypes.Int64},
}, nil)

const (
	colGUID = iota
	colLeadID
	colDate
	colTypeID
	colTypeName
	colCategory
	colSalesKind
	colCampaignID
	colPAVID
	colPAV
	colAttributes
	colActionResult
	colEmail
	colMergeIDs
	colFile
	colLine
	numCols
)

// Reject is an activity row that could not be used (state.InputReject).
type Reject = state.InputReject

// Input columns of the Bulk Activity Extract, by normalised header.
const (
	inGUID = iota
	inLeadID
	inDate
	inTypeID
	inCampaignID
	inPAVID
	inPAV
	inAttributes
	inActionResult
	inID // JSON Lines only: the REST "id", the key when marketoGUID is absent
	numIn
)

var headerNames = map[string]int{
	"marketoguid": inGUID, "leadid": inLeadID, "activitydate": inDate, "activitytypeid": inTypeID,
	"campaignid": inCampaignID, "primaryattributevalueid": inPAVID, "primaryattributevalue": inPAV,
	"attributes": inAttributes, "actionresult": inActionResult,
}

var requiredHeaders = []struct {
	col  int
	name string
}{{inGUID, "marketoGUID"}, {inLeadID, "leadId"}, {inDate, "activityDate"}, {inTypeID, "activityTypeId"}}

// MissingColumnsError is a CSV activity file without a required column: it
// fails the run before anything is written.
type MissingColumnsError struct {
	Missing []string
	Found   []string
}

func (e *MissingColumnsError) Error() string {
	found := strings.Join(e.Found, ", ")
	if n := len(e.Found); n > maxFoundInError {
		// One line for a wide file (Fivetran-shaped tables run to dozens
		// of columns).
		found = fmt.Sprintf("%s, and %d more", strings.Join(e.Found[:maxFoundInError], ", "), n-maxFoundInError)
	}
	return fmt.Sprintf("not a Bulk Activity Extract file: no column %s (columns found: %s)",
		strings.Join(e.Missing, ", "), found)
}

// maxFoundInError caps the headers a MissingColumnsError lists.
const maxFoundInError = 12

// record is one input row cut into the input columns. It is reused; its
// strings may alias the row source's buffers (valid until the next record)
// and are copied into the batch builder.
type record struct {
	vals   [numIn]string
	has    [numIn]bool
	attrJS json.RawMessage // JSON Lines: attributes as JSON, not text
	// flat are the values of a CSV's other columns, flattened attributes
	// named by flatNames (the header as written).
	flat      []string
	flatNames []string
	line      int64
	raw       []byte // the row as read, valid until the next record
}

// rowSource yields records; next returns io.EOF at the end, an
// *extract.RowError for a record that cannot be read (reading goes on), any
// other error for the whole file.
type rowSource interface {
	next(*record) error
}

// Reader yields the activities of one input as batches of Schema, at most
// DefaultBatchRows rows each. It is an array.RecordReader: call Next until
// false, then Err; the batch of RecordBatch is valid until the next Next.
// Row problems become Rejects and reading goes on; a problem with the whole file (no required column, a
// truncated gzip stream, an unreadable file) stops it and Err returns an
// *extract.FileError. Release it when done.
type Reader struct {
	builder
	refs  atomic.Int64
	rows  rowSource
	file  *extract.TextFile
	mem   memory.Allocator
	cur   arrow.RecordBatch
	err   error
	done  bool
	stats pipeline.Input
	rec   record

	// par cuts a CSV/TSV file into blocks parsed concurrently; nil for a
	// sequential read and once it has stopped. While blocks is true, Next
	// yields the batches of its blocks (queue); a block its parser was not
	// sure of switches the rest of the file to rows, sequentially.
	par    *extract.Splitter[Reject]
	blocks bool
	queue  []arrow.RecordBatch
	hint   extract.SizeHint
}

// builder validates records and appends them to Arrow batches of Schema,
// rejecting the rows it cannot use. A Reader has one; each block of a
// parallel read has its own.
type builder struct {
	src     extract.Source
	types   *Types
	bld     *array.RecordBuilder
	batch   int
	rejects []Reject
	attrs   attrSet
	ids     []int64
	// dataBytes is each string column's data size in the last batch.
	dataBytes [numCols]int
}

// DefaultBatchRows is the number of rows per batch.
const DefaultBatchRows = 32 * 1024

// options tune a Reader; tests make blocks tiny to force splits.
type options struct {
	workers   int // goroutines parsing one CSV/TSV file; 0 means GOMAXPROCS
	blockSize int // 0 means extract.DefaultBlockSize
}

// Open starts reading src, resolving type ids with types. Parquet is not an
// activity format. A CSV or TSV file larger than a block is parsed by
// GOMAXPROCS goroutines (extract.Splitter). The caller must Release the
// reader.
func Open(src extract.Source, types *Types, mem memory.Allocator) (*Reader, error) {
	return open(src, types, mem, options{})
}

func open(src extract.Source, types *Types, mem memory.Allocator, opts options) (*Reader, error) {
	if src.Format == extract.Parquet {
		return nil, &extract.FileError{File: src.Path, Err: errors.New("activity exports are CSV or JSON Lines, not Parquet")}
	}
	if opts.workers <= 0 {
		opts.workers = runtime.GOMAXPROCS(0)
	}
	r := &Reader{builder: builder{src: src, types: types, batch: DefaultBatchRows}, mem: mem}
	r.refs.Store(1)
	r.stats = pipeline.Input{Path: src.Path, Format: "activity_" + string(src.Format)}
	f, err := extract.OpenText(src)
	if err != nil {
		return nil, err
	}
	r.file = f
	r.stats.Gzip = f.Gzip()
	br := bufio.NewReaderSize(f, 256<<10)
	switch src.Format {
	case extract.JSONL:
		doc, err := extract.SniffJSON(br)
		if err != nil {
			f.Close()
			return nil, extract.AsFileError(src.Path, err)
		}
		if doc {
			r.stats.Format = "activity_json"
			r.rows = &jsonDocRows{doc: extract.NewJSONDocument(br)}
		} else {
			r.rows = &jsonlRows{lr: extract.NewLineReader(br, 0)}
		}
	default:
		comma := byte(',')
		if src.Format == extract.TSV {
			comma = '\t'
		}
		cr, err := newCSVRows(br, comma)
		if err != nil {
			f.Close()
			return nil, extract.AsFileError(src.Path, err)
		}
		r.rows = cr
		if opts.workers > 1 {
			// The splitter reads on from where the header ended: br's
			// buffered bytes, then the file.
			r.par = extract.NewSplitter(cr.cr.Buffered(), cr.cr.Line()+1, opts.workers, opts.blockSize, r.parser(cr))
			r.blocks = true
		}
	}
	r.bld = array.NewRecordBuilder(mem, Schema)
	return r, nil
}

// Retain adds a reference.
func (r *Reader) Retain() { r.refs.Add(1) }

// Release drops a reference; the last one frees the batch and closes the
// file.
func (r *Reader) Release() {
	if r.refs.Add(-1) != 0 {
		return
	}
	r.stopBlocks()
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.bld != nil {
		r.bld.Release()
		r.bld = nil
	}
	if r.file != nil {
		r.file.Close()
		r.file = nil
	}
}

// Schema is the schema of every batch.
func (r *Reader) Schema() *arrow.Schema { return Schema }

// RecordBatch is the current batch.
func (r *Reader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record is RecordBatch, for array.RecordReader.
//
// Deprecated: use RecordBatch.
func (r *Reader) Record() arrow.RecordBatch { return r.cur }

// Err is the error that stopped reading, nil at a clean end.
func (r *Reader) Err() error { return r.err }

// Stats describes the input once it has been read to the end.
func (r *Reader) Stats() pipeline.Input { return r.stats }

// Rejects are the rows rejected so far.
func (r *Reader) Rejects() []Reject { return r.rejects }

// Next reads the next batch.
func (r *Reader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.done {
		return false
	}
	for r.blocks && len(r.queue) == 0 {
		r.readBlock()
	}
	if len(r.queue) > 0 {
		r.cur, r.queue = r.queue[0], r.queue[1:]
		return true
	}
	if r.done {
		return false
	}
	r.reserve()
	n := 0
	for n < r.batch {
		r.rec = record{}
		err := r.rows.next(&r.rec)
		if err == io.EOF {
			r.done = true
			r.stopBlocks() // after a fallback: the stream is drained
			if err := r.finish(); err != nil {
				r.err = err
				return false
			}
			break
		}
		if re, ok := err.(*extract.RowError); ok { // not errors.As: its target would escape, one allocation per row
			r.stats.Rows++
			r.reject(re.Line, ReasonMalformedRow, re.Detail, re.Raw)
			continue
		}
		if err != nil {
			r.done = true
			r.err = extract.AsFileError(r.src.Path, err)
			return false
		}
		r.stats.Rows++
		if r.append(&r.rec) {
			n++
		}
	}
	if n == 0 {
		return false
	}
	r.cur = r.bld.NewRecordBatch()
	r.sizeFrom(r.cur)
	return true
}

// readBlock takes the next parsed block in file order: its rejects and
// batches are queued. A block its parser could not be sure of switches the
// rest of the file to sequential parsing.
func (r *Reader) readBlock() {
	switch t := r.par.Take(); {
	case t.Done:
		r.done = true
		r.stopBlocks()
		r.err = r.finish()
	case t.Rest != nil:
		r.rows = r.rows.(*csvRows).resume(bufio.NewReaderSize(t.Rest, 256<<10), t.Line-1)
		r.blocks = false
	default:
		r.rejects = append(r.rejects, t.Rejects...)
		r.stats.Rows += t.Rows
		r.queue = append(r.queue, t.Batches...)
	}
}

// stopBlocks stops the splitter and its parsers, if running, and releases
// what they parsed ahead and what is queued.
func (r *Reader) stopBlocks() {
	if r.par != nil {
		r.par.Stop()
		r.par = nil
	}
	r.blocks = false
	for _, b := range r.queue {
		b.Release()
	}
	r.queue = nil
}

// parser returns the function that parses one block of a CSV/TSV file whose
// header is hdr's. It is safe for concurrent use.
func (r *Reader) parser(hdr *csvRows) func(*extract.Block[Reject]) {
	return func(b *extract.Block[Reject]) {
		w := builder{src: r.src, types: r.types, batch: r.batch, bld: array.NewRecordBuilder(r.mem, Schema)}
		defer w.bld.Release()
		rows := hdr.resume(bufio.NewReaderSize(bytes.NewReader(b.Data), min(len(b.Data)+1, 64<<10)), b.Line-1)
		var rec record
		n, from := 0, int64(0)
		flush := func() {
			batch := w.bld.NewRecordBatch()
			to := rows.cr.InputOffset()
			r.hint.Learn(batch, to-from)
			b.Batches = append(b.Batches, batch)
			n, from = 0, to
		}
		r.hint.Reserve(w.bld, len(b.Data), w.batch)
		for {
			rec = record{}
			err := rows.next(&rec)
			if err == io.EOF {
				break
			}
			if re, ok := err.(*extract.RowError); ok && re.Parse == nil {
				b.Rows++
				w.reject(re.Line, ReasonMalformedRow, re.Detail, re.Raw)
				continue
			}
			if err != nil {
				// A record still open at the block's end (the cut fell
				// inside it), or a record too long: the sequential parser
				// reads the file on from this block.
				b.Seq = true
				b.Release()
				return
			}
			b.Rows++
			if w.append(&rec) {
				if n++; n == w.batch {
					flush()
					r.hint.Reserve(w.bld, len(b.Data)-int(from), w.batch)
				}
			}
		}
		if n > 0 {
			flush()
		}
		b.Rejects = w.rejects
	}
}

// reserve sizes the builders for a batch like the previous one, so that
// appending does not regrow their buffers row by row.
func (w *builder) reserve() {
	for i, f := range Schema.Fields() {
		b := w.bld.Field(i)
		b.Reserve(w.batch)
		if f.Type.ID() == arrow.STRING && w.dataBytes[i] > 0 {
			b.(*array.StringBuilder).ReserveData(w.dataBytes[i] + w.dataBytes[i]/8)
		}
	}
}

// sizeFrom records the string data sizes of b for the next reserve.
func (w *builder) sizeFrom(b arrow.RecordBatch) {
	for i := range w.dataBytes {
		if s, ok := b.Column(i).(*array.String); ok && s.Len() > 0 {
			offs := s.ValueOffsets()
			w.dataBytes[i] = int(offs[len(offs)-1]-offs[0]) / s.Len() * w.batch
		}
	}
}

func (w *builder) reject(line int64, reason, detail, raw string) {
	w.rejects = append(w.rejects, Reject{File: w.src.Path, Line: line, Reason: reason, Detail: detail, Raw: raw})
}

// append validates one record and appends it, or rejects it.
func (r *builder) append(rec *record) bool {
	bad := func(reason, detail string) bool {
		r.reject(rec.line, reason, detail, string(rec.raw))
		return false
	}
	guid, ok := extract.Value(rec.vals[inGUID])
	if !ok {
		if guid, ok = extract.Value(rec.vals[inID]); !ok {
			return bad(ReasonMalformedRow, "no marketoGUID")
		}
	}
	var leadID int64
	lead, hasLead := extract.Value(rec.vals[inLeadID])
	if hasLead {
		id, err := strconv.ParseInt(lead, 10, 64)
		if err != nil || id <= 0 {
			return bad(ReasonMalformedRow, "leadId is not a positive integer")
		}
		leadID = id
	}
	typeText, _ := extract.Value(rec.vals[inTypeID])
	typeID, err := strconv.ParseInt(typeText, 10, 32)
	if err != nil || typeID <= 0 {
		return bad(ReasonMalformedRow, "activityTypeId is not a positive integer")
	}
	var campaignID int64
	campaign, hasCampaign := extract.Value(rec.vals[inCampaignID])
	if hasCampaign {
		if campaignID, err = strconv.ParseInt(campaign, 10, 64); err != nil {
			return bad(ReasonMalformedRow, "campaignId is not an integer")
		}
	}
	dateText, _ := extract.Value(rec.vals[inDate])
	date, ok := parseDate(dateText)
	if !ok || date.Year() < 1900 || date.Year() > 9999 {
		return bad(ReasonInvalidActivityDate, "activityDate is missing or not a date-time")
	}
	var hasAttrs bool
	if rec.attrJS != nil {
		hasAttrs, err = r.attrs.normaliseJSON(rec.attrJS)
	} else {
		hasAttrs, err = r.attrs.normalise(rec.vals[inAttributes])
	}
	if err != nil {
		return bad(ReasonMalformedAttributes, "attributes are not a JSON object or a [{name, value}] array")
	}
	if len(rec.flat) > 0 {
		if hasAttrs, err = r.attrs.addFlat(hasAttrs, rec.flatNames, rec.flat); err != nil {
			return bad(ReasonMalformedAttributes, "attributes are not a JSON object or a [{name, value}] array")
		}
	}

	b := r.bld
	b.Field(colGUID).(*array.StringBuilder).Append(guid)
	if hasLead {
		b.Field(colLeadID).(*array.Int64Builder).Append(leadID)
	} else {
		b.Field(colLeadID).AppendNull()
	}
	b.Field(colDate).(*array.TimestampBuilder).Append(arrow.Timestamp(date.UnixMicro()))
	b.Field(colTypeID).(*array.Int32Builder).Append(int32(typeID))
	ty, known := r.types.Lookup(int32(typeID))
	appendOpt(b.Field(colTypeName), ty.Name, known)
	b.Field(colCategory).(*array.StringBuilder).Append(ty.Category)
	appendOpt(b.Field(colSalesKind), ty.Kind, ty.Kind != "")
	if hasCampaign {
		b.Field(colCampaignID).(*array.Int64Builder).Append(campaignID)
	} else {
		b.Field(colCampaignID).AppendNull()
	}
	v, ok := extract.Value(rec.vals[inPAVID])
	appendOpt(b.Field(colPAVID), v, ok)
	v, ok = extract.Value(rec.vals[inPAV])
	appendOpt(b.Field(colPAV), v, ok)
	if hasAttrs {
		b.Field(colAttributes).(*array.StringBuilder).BinaryBuilder.Append(r.attrs.out)
	} else {
		b.Field(colAttributes).AppendNull()
	}
	v, ok = extract.Value(rec.vals[inActionResult])
	appendOpt(b.Field(colActionResult), v, ok)
	email := ""
	if hasAttrs {
		email = r.attrs.emailText()
	}
	appendOpt(b.Field(colEmail), email, email != "")
	lb := b.Field(colMergeIDs).(*array.ListBuilder)
	r.ids = r.ids[:0]
	if hasAttrs && ty.Name == TypeMergeLeads {
		r.ids = r.attrs.mergeIDs(r.ids)
	}
	if len(r.ids) == 0 {
		lb.AppendNull()
	} else {
		lb.Append(true)
		lb.ValueBuilder().(*array.Int64Builder).AppendValues(r.ids, nil)
	}
	b.Field(colFile).(*array.Int32Builder).Append(r.src.Index)
	b.Field(colLine).(*array.Int64Builder).Append(rec.line)
	return true
}

func appendOpt(b array.Builder, v string, ok bool) {
	if ok {
		b.(*array.StringBuilder).Append(v)
	} else {
		b.AppendNull()
	}
}

func (r *Reader) finish() error {
	// Hash what the parser did not need, so the digest covers the file.
	sum, n, err := r.file.Finish()
	if err != nil {
		return err
	}
	r.stats.SHA256, r.stats.Bytes = sum, n
	return nil
}

// csvRows reads a Bulk Activity Extract CSV (or TSV).
type csvRows struct {
	cr   *extract.CSVScanner
	pos  [numIn]int // header position of each input column, -1 if absent
	n    int        // header fields
	attr int        // header position of attributes, -1 if absent
	// joined is the legacy shape's fields with the attributes rejoined.
	joined []string
	// flatPos are the positions of the header's other columns, taken as
	// flattened attributes (one column per attribute) named flatNames.
	flatPos   []int
	flatNames []string
	flat      []string
	comma     byte
}

func newCSVRows(br *bufio.Reader, comma byte) (*csvRows, error) {
	c := &csvRows{cr: extract.NewCSVScanner(br, comma, 0), comma: comma}
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\ufeff")) {
		br.Discard(3)
	}
	rec, err := c.cr.Next()
	if err == io.EOF {
		return nil, errors.New("empty file: no header")
	}
	if err != nil {
		return nil, err
	}
	if rec.Err != nil {
		return nil, errors.New("header has an unterminated quote")
	}
	for i := range c.pos {
		c.pos[i] = -1
	}
	found := make([]string, len(rec.Fields))
	for i, h := range rec.Fields {
		found[i] = strings.Clone(strings.TrimSpace(h)) // h is valid until the next record
		if col, ok := headerNames[nameKey(h)]; ok {
			if c.pos[col] < 0 {
				c.pos[col] = i
			}
			continue
		}
		if found[i] != "" {
			c.flatPos = append(c.flatPos, i)
			c.flatNames = append(c.flatNames, found[i])
		}
	}
	var missing []string
	for _, req := range requiredHeaders {
		if c.pos[req.col] < 0 {
			missing = append(missing, req.name)
		}
	}
	if len(missing) > 0 {
		return nil, &MissingColumnsError{Missing: missing, Found: found}
	}
	c.n = len(rec.Fields)
	c.attr = c.pos[inAttributes]
	return c, nil
}

// resume returns rows of the same header and dialect that read br, whose
// first byte is at a record boundary and follows the given number of lines.
// Its buffers are its own: resumed rows may run concurrently.
func (c *csvRows) resume(br *bufio.Reader, line int64) *csvRows {
	return &csvRows{
		cr:  extract.NewCSVScanner(br, c.comma, line),
		pos: c.pos, n: c.n, attr: c.attr,
		flatPos: c.flatPos, flatNames: c.flatNames,
		comma: c.comma,
	}
}

func (c *csvRows) next(out *record) error {
	rec, err := c.cr.Next()
	if err != nil {
		return err
	}
	if rec.Err != nil {
		// The scanner's only record error: a quote open at the end.
		return &extract.RowError{Line: rec.Line, Detail: rec.Err.Err.Error(), Raw: string(rec.Raw), Parse: rec.Err}
	}
	out.line = rec.Line
	out.raw = rec.Raw
	fields := rec.Fields
	if extra := len(fields) - c.n; extra != 0 {
		// The legacy shape: an unquoted JSON attributes value whose commas
		// split it into several fields. Rejoin them from the raw text.
		if extra < 0 || c.attr < 0 {
			return &extract.RowError{Line: rec.Line, Detail: fmt.Sprintf("%d fields, header has %d", len(fields), c.n), Raw: string(rec.Raw)}
		}
		from, to := rec.Spans[c.attr][0], rec.Spans[c.attr+extra][1]
		t := bytes.TrimSpace(rec.Raw[from:to])
		if len(t) == 0 || (t[0] != '[' && t[0] != '{') {
			return &extract.RowError{Line: rec.Line, Detail: fmt.Sprintf("%d fields, header has %d", len(fields), c.n), Raw: string(rec.Raw)}
		}
		joined := append(c.joined[:0], fields[:c.attr]...)
		joined = append(joined, rec.Text(from, to))
		joined = append(joined, fields[c.attr+extra+1:]...)
		fields, c.joined = joined, joined
	}
	for col, p := range c.pos {
		if p >= 0 {
			out.vals[col] = fields[p]
			out.has[col] = true
		}
	}
	if len(c.flatPos) > 0 {
		c.flat = c.flat[:0]
		for _, p := range c.flatPos {
			c.flat = append(c.flat, fields[p])
		}
		out.flat, out.flatNames = c.flat, c.flatNames
	}
	return nil
}

// jsonlRows reads JSON Lines of the REST activity shape.
type jsonlRows struct {
	lr *extract.LineReader
}

type restActivity struct {
	ID                      json.RawMessage `json:"id"`
	MarketoGUID             json.RawMessage `json:"marketoGUID"`
	LeadID                  json.RawMessage `json:"leadId"`
	ActivityDate            json.RawMessage `json:"activityDate"`
	ActivityTypeID          json.RawMessage `json:"activityTypeId"`
	CampaignID              json.RawMessage `json:"campaignId"`
	PrimaryAttributeValueID json.RawMessage `json:"primaryAttributeValueId"`
	PrimaryAttributeValue   json.RawMessage `json:"primaryAttributeValue"`
	Attributes              json.RawMessage `json:"attributes"`
	ActionResult            json.RawMessage `json:"actionResult"`
}

func (j *jsonlRows) next(out *record) error {
	var line []byte
	for {
		l, err := j.lr.ReadLine()
		if err != nil {
			return err
		}
		l = bytes.TrimPrefix(l, []byte("\ufeff"))
		if len(bytes.TrimSpace(l)) > 0 {
			line = l
			break
		}
	}
	return restRecord(out, line, j.lr.Line())
}

// jsonDocRows reads a JSON array of REST activities, or a REST response
// holding them in "result" (extract.SniffJSON).
type jsonDocRows struct {
	doc *extract.JSONDocument
}

func (j *jsonDocRows) next(out *record) error {
	elem, line, err := j.doc.Next()
	if err != nil {
		return err
	}
	return restRecord(out, elem, line)
}

// restRecord fills out from one REST activity object, the text of a line
// or of an array element starting at line.
func restRecord(out *record, line []byte, at int64) error {
	out.line = at
	out.raw = line
	var a restActivity
	if t := bytes.TrimSpace(line); t[0] != '{' || json.Unmarshal(t, &a) != nil {
		return &extract.RowError{Line: out.line, Detail: "not a JSON object", Raw: string(line)}
	}
	scalars := []struct {
		col int
		v   json.RawMessage
	}{
		{inID, a.ID}, {inGUID, a.MarketoGUID}, {inLeadID, a.LeadID}, {inDate, a.ActivityDate},
		{inTypeID, a.ActivityTypeID}, {inCampaignID, a.CampaignID}, {inPAVID, a.PrimaryAttributeValueID},
		{inPAV, a.PrimaryAttributeValue}, {inActionResult, a.ActionResult},
	}
	for _, s := range scalars {
		v := bytes.TrimSpace(s.v)
		if len(v) > 0 && (v[0] == '{' || v[0] == '[') {
			return &extract.RowError{Line: out.line, Detail: "a scalar field holds an object or array", Raw: string(line)}
		}
		out.vals[s.col] = jsonScalarText(v)
		out.has[s.col] = len(v) > 0
	}
	if v := bytes.TrimSpace(a.Attributes); len(v) > 0 {
		out.attrJS = v
	}
	return nil
}

// normaliseJSON is normalise for attributes given as a JSON value (JSON
// Lines), where a string value is taken as the attributes' JSON text.
func (a *attrSet) normaliseJSON(v json.RawMessage) (bool, error) {
	if len(v) > 0 && v[0] == '"' {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return false, err
		}
		return a.normalise(s)
	}
	return a.normalise(string(v))
}
