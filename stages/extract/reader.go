package extract

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/pipeline"
)

// DefaultBatchRows is the number of rows per batch when Options leaves it 0.
const DefaultBatchRows = 32 * 1024

// Options tune a Reader.
type Options struct {
	// BatchRows is the number of rows per batch; 0 means DefaultBatchRows.
	BatchRows int
	// Workers is the number of goroutines that parse one CSV or TSV file:
	// 0 means GOMAXPROCS, 1 parses on the goroutine that calls Next. JSON
	// Lines and Parquet are always read on the caller's goroutine.
	Workers int

	// blockSize is the size of the blocks a parallel read splits the file
	// into; 0 means DefaultBlockSize. Tests make it tiny to force splits.
	blockSize int
}

// row is one record of an input file: its values aligned with the file's
// header, and the line it starts on. raw renders the record for a reject.
type row struct {
	fields []string
	line   int64
	raw    func() string
}

// rowSource reads the records of one file. next returns io.EOF at the end,
// a *RowError for a record that cannot be read (the source can go on), and
// any other error for a problem with the whole file.
type rowSource interface {
	header() []string
	next() (row, error)
}

// RowError is a record that cannot be used, a malformed_row: the record
// sources of extract and of the activities reader return one, and reading
// goes on. Parse is set when the record reader could not parse the record
// (CSVRecord.Err).
type RowError struct {
	Line   int64
	Detail string
	Raw    string
	Parse  *csv.ParseError
}

func (e *RowError) Error() string { return e.Detail }

// Reader yields the rows of one input as batches of pipeline.RawSchema. It
// implements array.RecordReader: call Next until it returns false, then
// check Err; the batch returned by RecordBatch is valid until the next call
// to Next. Row-level problems go to the ledger and reading goes on; a
// problem with the whole file stops it and Err returns a *FileError.
type Reader struct {
	refs   atomic.Int64
	src    Source
	opts   Options
	ledger *pipeline.Ledger
	bld    *array.RecordBuilder
	rows   rowSource
	file   *TextFile
	mem    memory.Allocator
	cur    arrow.RecordBatch
	err    error
	done   bool
	stats  pipeline.Input

	// pieces are batches of parsed rows not yet yielded, pending rows in
	// all; Next cuts them into batches of exactly BatchRows rows.
	pieces  []arrow.RecordBatch
	pending int

	// par splits a CSV/TSV file into blocks parsed concurrently; nil for a
	// sequential read and once it has stopped. blocks is false once the
	// read has fallen back to sequential parsing (rows) mid-file.
	par    *Splitter[pipeline.Reject]
	blocks bool

	mapping   Mapping
	mappedLen int
}

// Open starts reading src. The caller must Release the reader.
func Open(src Source, mem memory.Allocator, ledger *pipeline.Ledger, opts Options) (*Reader, error) {
	if opts.BatchRows <= 0 {
		opts.BatchRows = DefaultBatchRows
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.blockSize <= 0 {
		opts.blockSize = DefaultBlockSize
	}
	r := &Reader{src: src, opts: opts, ledger: ledger, mem: mem}
	r.refs.Store(1)
	r.stats = pipeline.Input{Path: src.Path, Format: string(src.Format)}
	f, err := openMeasured(src.Path)
	if err != nil {
		return nil, err
	}
	r.file = f
	if err := r.start(mem); err != nil {
		if c, ok := r.rows.(interface{ close() }); ok {
			c.close()
		}
		f.Close()
		return nil, err
	}
	r.bld = array.NewRecordBuilder(mem, pipeline.RawSchema)
	return r, nil
}

func (r *Reader) start(mem memory.Allocator) error {
	if r.src.Format == Parquet {
		// Parquet is read through ReadAt; the file is hashed by Finish.
		rs, err := newParquetSource(r.file.f, r.src.Path, mem)
		if err != nil {
			return err
		}
		r.rows = rs
		return r.rematch(true)
	}
	if err := r.file.decode(r.src.Gzip); err != nil {
		return err
	}
	r.stats.Gzip = r.file.Gzip()
	in := bufio.NewReaderSize(r.file, 256*1024)
	var err error
	switch r.src.Format {
	case JSONL:
		// The header starts empty and grows; mapping it now gives a row
		// with no keys ({}) a mapping to be rejected against.
		js, err := newJSONLSource(in)
		if err != nil {
			return AsFileError(r.src.Path, err)
		}
		if js.document() {
			r.stats.Format = "json"
		}
		r.rows = js
		return r.rematch(false)
	case TSV:
		r.rows, err = newCSVSource(in, '\t', r.src.Path)
	default:
		r.rows, err = newCSVSource(in, 0, r.src.Path)
	}
	if err != nil {
		return err
	}
	if err := r.rematch(true); err != nil {
		return err
	}
	if r.opts.Workers > 1 {
		cs := r.rows.(*csvSource)
		rest, line := cs.rest()
		r.par = NewSplitter(rest, line, r.opts.Workers, r.opts.blockSize, cs.parser(r.mapping, r.src.Index, r.mem, r.opts.BatchRows))
		r.blocks = true
	}
	return nil
}

// rematch maps the source's header onto the raw schema. JSON Lines grow
// their header as new keys appear; their mapping is rebuilt then.
func (r *Reader) rematch(strict bool) error {
	h := r.rows.header()
	m, err := matchHeader(r.src.Path, h, strict)
	if err != nil {
		return err
	}
	r.mapping, r.mappedLen = m, len(h)
	r.stats.Unknown = m.Unknown
	return nil
}

// Retain increases the reference count by 1.
func (r *Reader) Retain() { r.refs.Add(1) }

// Release decreases the reference count by 1 and frees the reader's
// resources when it reaches 0.
func (r *Reader) Release() {
	if r.refs.Add(-1) != 0 {
		return
	}
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	r.stopBlocks()
	r.dropPieces()
	if r.bld != nil {
		r.bld.Release()
	}
	if c, ok := r.rows.(interface{ close() }); ok {
		c.close()
	}
	r.file.Close()
}

// Schema is pipeline.RawSchema.
func (r *Reader) Schema() *arrow.Schema { return pipeline.RawSchema }

// RecordBatch returns the current batch; it is owned by the reader.
func (r *Reader) RecordBatch() arrow.RecordBatch { return r.cur }

// Record returns the current batch.
//
// Deprecated: use RecordBatch.
func (r *Reader) Record() arrow.RecordBatch { return r.cur }

// Err returns the error that stopped the reader, if any.
func (r *Reader) Err() error { return r.err }

// Stats returns what the reader has seen; SHA256 and Bytes are final once
// Next has returned false without error.
func (r *Reader) Stats() pipeline.Input { return r.stats }

// Next reads the next batch.
func (r *Reader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	for !r.done && r.pending < r.opts.BatchRows {
		if r.blocks {
			r.readBlock()
		} else {
			r.readRows(r.opts.BatchRows - r.pending)
		}
	}
	if r.done {
		r.stopBlocks()
	}
	if r.err != nil {
		// A file that fails does not yield a partial last batch.
		r.dropPieces()
		return false
	}
	if r.pending == 0 {
		return false
	}
	r.cur = r.take(min(r.pending, r.opts.BatchRows))
	return true
}

// readRows reads records from r.rows until want rows are built or the file
// ends, and adds them to r.pieces as one batch.
func (r *Reader) readRows(want int) {
	n := 0
	for n < want {
		rw, err := r.rows.next()
		if err == io.EOF {
			r.done = true
			r.err = r.finish()
			break
		}
		var re *RowError
		if errors.As(err, &re) {
			r.stats.Rows++
			r.ledger.Reject(pipeline.Reject{File: r.src.Index, Line: re.Line, Reason: pipeline.ReasonMalformedRow, Detail: re.Detail, Raw: re.Raw})
			continue
		}
		if err != nil {
			r.done = true
			r.err = AsFileError(r.src.Path, err)
			break
		}
		r.stats.Rows++
		if len(r.rows.header()) != r.mappedLen {
			if err := r.rematch(false); err != nil {
				r.done, r.err = true, err
				break
			}
		}
		rejects, ok := appendRow(r.bld, &r.mapping, r.src.Index, rw, nil)
		for _, rej := range rejects {
			r.ledger.Reject(rej)
		}
		if ok {
			n++
		}
	}
	b := r.bld.NewRecordBatch()
	if r.err != nil || n == 0 {
		b.Release()
		return
	}
	r.pieces = append(r.pieces, b)
	r.pending += n
}

// readBlock takes the next parsed block in file order: its rejects go to
// the ledger, its batches to r.pieces. A block the splitter or its parser
// could not be sure of switches the rest of the file to sequential parsing.
func (r *Reader) readBlock() {
	switch t := r.par.Take(); {
	case t.Done:
		r.done = true
		r.stopBlocks()
		r.err = r.finish()
	case t.Rest != nil:
		r.rows = r.rows.(*csvSource).resume(t.Rest, t.Line)
		r.blocks = false
	default:
		for _, rej := range t.Rejects {
			r.ledger.Reject(rej)
		}
		r.stats.Rows += t.Rows
		for _, p := range t.Batches {
			r.pieces = append(r.pieces, p)
			r.pending += int(p.NumRows())
		}
	}
}

// stopBlocks stops the splitter and its parsers, if running, and releases
// what they parsed ahead.
func (r *Reader) stopBlocks() {
	if r.par != nil {
		r.par.Stop()
		r.par = nil
	}
	r.blocks = false
}

func (r *Reader) dropPieces() {
	for _, p := range r.pieces {
		p.Release()
	}
	r.pieces, r.pending = nil, 0
}

// take removes the first n pending rows from r.pieces as one batch. A piece
// of exactly n rows is passed on as is, a longer one is sliced, and rows
// from several pieces are copied into one batch.
func (r *Reader) take(n int) arrow.RecordBatch {
	r.pending -= n
	first := r.pieces[0]
	if rows := int(first.NumRows()); rows >= n {
		if rows == n {
			r.pieces = r.pieces[1:]
			return first
		}
		r.pieces[0] = first.NewSlice(int64(n), int64(rows))
		out := first.NewSlice(0, int64(n))
		first.Release()
		return out
	}
	var parts []arrow.RecordBatch
	for got := 0; got < n; {
		p := r.pieces[0]
		rows := int(p.NumRows())
		if got+rows <= n {
			parts = append(parts, p)
			r.pieces = r.pieces[1:]
			got += rows
			continue
		}
		k := n - got
		parts = append(parts, p.NewSlice(0, int64(k)))
		r.pieces[0] = p.NewSlice(int64(k), int64(rows))
		p.Release()
		got = n
	}
	defer func() {
		for _, p := range parts {
			p.Release()
		}
	}()
	cols := make([]arrow.Array, len(pipeline.RawSchema.Fields()))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	arrs := make([]arrow.Array, len(parts))
	for c := range cols {
		for i, p := range parts {
			arrs[i] = p.Column(c)
		}
		col, err := array.Concatenate(arrs, r.mem)
		if err != nil {
			// Concatenate fails only on mismatched types or overflow of
			// 32-bit offsets, neither possible within RawSchema batches of
			// one reader.
			panic(fmt.Sprintf("extract: concatenating batches: %v", err))
		}
		cols[c] = col
	}
	return array.NewRecordBatch(pipeline.RawSchema, cols, int64(n))
}

// appendRow adds rw to bld, or returns the reject for its Marketo id; it
// reports whether a row was added. Field-level rejects of an added row
// (NULs stripped) are appended to rejects, which it returns.
func appendRow(bld *array.RecordBuilder, mp *Mapping, file int32, rw row, rejects []pipeline.Reject) ([]pipeline.Reject, bool) {
	for i, f := range rw.fields {
		// DuckDB VARCHAR must be valid UTF-8; a NUL is never text.
		if !utf8.ValidString(f) {
			return append(rejects, pipeline.Reject{File: file, Line: rw.line, Reason: pipeline.ReasonMalformedRow,
				Detail: fmt.Sprintf("column %d: invalid UTF-8", i+1), Raw: rw.raw()}), false
		}
		if strings.IndexByte(f, 0) < 0 {
			continue
		}
		col := mp.column(i)
		if col >= 0 && synced[col] {
			return append(rejects, pipeline.Reject{File: file, Line: rw.line, Reason: pipeline.ReasonMalformedRow,
				Detail: fmt.Sprintf("column %d: a NUL byte in a synced field", i+1), Raw: rw.raw()}), false
		}
	}
	idCol := mp.Sources[0]
	id, ok := firstValue(rw.fields, idCol)
	marketoID, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil || marketoID <= 0 {
		detail := "missing marketo id"
		if ok {
			detail = "marketo id is not a positive integer"
		}
		return append(rejects, pipeline.Reject{File: file, Line: rw.line, Reason: pipeline.ReasonInvalidMarketoID, Detail: detail, Raw: rw.raw()}), false
	}
	// NULs left are in fields that are not synced (side attributes and
	// columns actsync ignores; real exports have them): stripped, each
	// counted as a field-level reject, and the person goes on.
	raw := ""
	for i, f := range rw.fields {
		if strings.IndexByte(f, 0) < 0 {
			continue
		}
		if raw == "" {
			raw = rw.raw() // as read, before any field is stripped
		}
		field := mp.header(i)
		if col := mp.column(i); col >= 0 {
			field = pipeline.RawSchema.Field(col).Name
		}
		rejects = append(rejects, pipeline.Reject{File: file, Line: rw.line, Reason: ReasonNULStripped, Field: field,
			Detail: fmt.Sprintf("column %d: NUL bytes removed", i+1), Raw: raw})
		rw.fields[i] = strings.ReplaceAll(f, "\x00", "")
	}
	bld.Field(0).(*array.Int64Builder).Append(marketoID)
	last := len(mp.Sources) - 2
	for c := 1; c < last; c++ {
		sb := bld.Field(c).(*array.StringBuilder)
		if v, ok := firstValue(rw.fields, mp.Sources[c]); ok {
			sb.Append(v)
		} else {
			sb.AppendNull()
		}
	}
	bld.Field(last).(*array.Int32Builder).Append(file)
	bld.Field(last + 1).(*array.Int64Builder).Append(rw.line)
	return rejects, true
}

// ReasonNULStripped is the field-level reject of a NUL byte removed from a
// field that is not synced: the row goes on without it.
const ReasonNULStripped = "nul_stripped"

// synced marks the raw columns whose value a NUL byte makes unusable: the
// Marketo id, the 13 synced fields and the sales owner. A NUL elsewhere is
// stripped.
var synced = func() []bool {
	s := make([]bool, len(pipeline.RawSchema.Fields()))
	s[pipeline.RawIndex(pipeline.ColMarketoID)] = true
	s[pipeline.RawIndex(pipeline.ColSalesOwnerID)] = true
	for _, f := range pipeline.SyncedFields {
		s[pipeline.RawIndex(f)] = true
	}
	return s
}()

// firstValue returns the first non-NULL value among the given positions.
func firstValue(fields []string, positions []int) (string, bool) {
	for _, p := range positions {
		if p >= len(fields) {
			continue
		}
		if v, ok := Value(fields[p]); ok {
			return v, true
		}
	}
	return "", false
}

// Value applies the input value rules (docs/design.md "Inputs"): trimmed;
// empty and the literal "null" (exactly, as the Bulk Extract writes it)
// are NULL.
func Value(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s == "null" {
		return "", false
	}
	return s, true
}

func (r *Reader) finish() error {
	// Hash what the parser did not need, so the digest covers the file.
	sum, n, err := r.file.Finish()
	if err != nil {
		return err
	}
	r.stats.SHA256, r.stats.Bytes = sum, n
	r.warnNoOwner()
	return nil
}

// warnNoOwner warns about a JSON file in which no object had any owner
// key. JSON objects may omit keys, so the file is not refused like a CSV
// without an owner column; but then every person in it is excluded as
// no_sales_owner, which must not pass without a word.
func (r *Reader) warnNoOwner() {
	owner := pipeline.RawIndex(pipeline.ColSalesOwnerID)
	if r.src.Format != JSONL || len(r.rows.header()) == 0 || len(r.mapping.Sources[owner]) > 0 {
		return
	}
	r.stats.Warnings = append(r.stats.Warnings, fmt.Sprintf(
		"no object has a sales owner key (%s): all its people are excluded as no_sales_owner",
		strings.Join(requiredSpellings[pipeline.ColSalesOwnerID], ", ")))
}
