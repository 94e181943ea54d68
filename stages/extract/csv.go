package extract

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/pipeline"
)

// CSVReader is the strict member of the CSV family: records as
// encoding/csv reads them (RFC 4180; a bare or stray quote is an error of
// the record, whose text is kept), with the physical line each record
// starts on and its raw text. The people and Salesforce readers use it:
// their rejects (a quote error is a malformed_row with encoding/csv's
// words) are part of their contract. The activities reader uses the lax
// CSVScanner instead, which Marketo's legacy activity files need; both
// give a CSVRecord, and both can be parsed in blocks by a Splitter.
type CSVReader struct {
	r    *csv.Reader
	tape *tape  // nil when data is set
	data []byte // the whole input, when read from memory
	base int64  // lines of the file before r's input
	rec  CSVRecord
}

// NewCSVReader reads records of the given delimiter from in; line is the
// number of lines of the file before in's input. A BOM is not its business.
func NewCSVReader(in io.Reader, comma rune, line int64) *CSVReader {
	t := &tape{r: in}
	return &CSVReader{r: newCSV(t, comma), tape: t, base: line}
}

// NewCSVBlockReader is NewCSVReader on input held in memory, a Splitter's
// block: the raw text is sliced from data instead of recorded.
func NewCSVBlockReader(data []byte, comma rune, line int64) *CSVReader {
	return &CSVReader{r: newCSV(bytes.NewReader(data), comma), data: data, base: line}
}

func newCSV(in io.Reader, comma rune) *csv.Reader {
	r := csv.NewReader(in)
	r.Comma = comma
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	return r
}

// Next returns the next record, valid until the following call, or io.EOF
// at the end. A record encoding/csv cannot parse has Err set, a
// *csv.ParseError whose lines are the file's, and the fields read before
// the error; reading can go on. Other errors are the input's.
func (c *CSVReader) Next() (*CSVRecord, error) {
	start := c.r.InputOffset()
	if c.tape != nil {
		c.tape.keep = start
	}
	fields, err := c.r.Read()
	c.rec = CSVRecord{Fields: fields}
	if err != nil {
		var pe *csv.ParseError
		if !errors.As(err, &pe) || errors.Is(pe.Err, csv.ErrFieldCount) {
			return nil, err
		}
		pe.StartLine += int(c.base)
		pe.Line += int(c.base)
		c.rec.Line, c.rec.Err = int64(pe.StartLine), pe
	} else {
		l, _ := c.r.FieldPos(0)
		c.rec.Line = c.base + int64(l)
	}
	c.rec.Raw = c.text(start, c.r.InputOffset())
	return &c.rec, nil
}

// text returns the input between two offsets of the current record.
func (c *CSVReader) text(from, to int64) []byte {
	if c.tape == nil {
		return c.data[from:to]
	}
	return c.tape.text(from, to)
}

// tape keeps the input that encoding/csv has read from the start of the
// current record on, so that a record it cannot parse is rejected with its
// text. Offsets are csv.Reader.InputOffset values.
type tape struct {
	r    io.Reader
	buf  []byte
	off  int64 // input offset of buf[0]
	keep int64 // input before this offset is no longer needed
}

func (t *tape) Read(p []byte) (int, error) {
	if d := t.keep - t.off; d > 0 {
		t.buf = t.buf[:copy(t.buf, t.buf[d:])]
		t.off = t.keep
	}
	n, err := t.r.Read(p)
	t.buf = append(t.buf, p[:n]...)
	return n, err
}

// text returns the input between two offsets, from >= keep.
func (t *tape) text(from, to int64) []byte {
	return t.buf[from-t.off : to-t.off]
}

// csvSource reads people from CSV or TSV with a CSVReader: quoted fields,
// quoted newlines and CRLF are handled there. A UTF-8 BOM is dropped. A
// record whose field count differs from the header's is a malformed row,
// and so is one encoding/csv cannot parse (its text is kept for the
// reject).
type csvSource struct {
	r     *CSVReader
	hdr   []string
	comma rune
}

// newCSVSource reads the header. comma 0 means: sniff the header line, tab
// if it has tabs and no commas, else comma.
func newCSVSource(in io.Reader, comma rune, path string) (*csvSource, error) {
	br, ok := in.(*bufio.Reader)
	if !ok {
		br = bufio.NewReader(in)
	}
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\ufeff")) {
		br.Discard(3)
	}
	if comma == 0 {
		comma = ','
		head, _ := br.Peek(64 * 1024)
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			head = head[:i]
		}
		if bytes.IndexByte(head, '\t') >= 0 && bytes.IndexByte(head, ',') < 0 {
			comma = '\t'
		}
	}
	s := &csvSource{r: NewCSVReader(br, comma, 0), comma: comma}
	hdr, err := s.r.Next()
	if err == io.EOF {
		return nil, &FileError{File: path, Err: errors.New("empty file: no header row")}
	}
	if err != nil {
		return nil, AsFileError(path, err)
	}
	if pe := hdr.Err; pe != nil {
		return nil, &FileError{File: path, Line: int64(pe.StartLine), Err: fmt.Errorf("header: %w", pe.Err)}
	}
	s.hdr = append([]string(nil), hdr.Fields...)
	return s, nil
}

func (s *csvSource) header() []string { return s.hdr }

func (s *csvSource) next() (row, error) {
	r, err := s.r.Next()
	if err != nil {
		return row{}, err
	}
	if pe := r.Err; pe != nil {
		return row{}, &RowError{Line: r.Line, Detail: pe.Err.Error(), Raw: strings.Trim(string(r.Raw), "\r\n"), Parse: pe}
	}
	rec, line := r.Fields, r.Line
	if len(rec) != len(s.hdr) {
		return row{}, &RowError{
			Line:   line,
			Detail: fmt.Sprintf("%d fields, header has %d", len(rec), len(s.hdr)),
			Raw:    s.render(rec),
		}
	}
	return row{fields: rec, line: line, raw: func() string { return s.render(rec) }}, nil
}

// render writes a record back as one line of the file's dialect.
func (s *csvSource) render(rec []string) string { return render(s.comma, rec) }

func render(comma rune, rec []string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Comma = comma
	w.Write(rec)
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}

// rest returns the input after the header, which newCSVSource has read, and
// the line its first byte is on. The source must not be read from since.
func (s *csvSource) rest() (io.Reader, int64) { return s.r.rest() }

// rest returns the input after the records read, and the line its first
// byte is on. The reader must not be read from since.
func (c *CSVReader) rest() (io.Reader, int64) {
	t := c.tape
	off := c.r.InputOffset()
	head := t.buf[:off-t.off]
	ahead := bytes.Clone(t.buf[off-t.off:])
	return io.MultiReader(bytes.NewReader(ahead), t.r), c.base + 1 + int64(bytes.Count(head, []byte{'\n'}))
}

// resume returns a source of the same header and dialect that parses in,
// whose first byte is on the given line and at a record boundary.
func (s *csvSource) resume(in io.Reader, line int64) *csvSource {
	return &csvSource{r: NewCSVReader(in, s.comma, line-1), hdr: s.hdr, comma: s.comma}
}

// parser returns the function that parses one block of this file into
// batches of at most batchRows rows. It is safe for concurrent use.
func (s *csvSource) parser(mp Mapping, file int32, mem memory.Allocator, batchRows int) func(*block) {
	hint := &SizeHint{}
	return func(b *block) {
		r := NewCSVBlockReader(b.Data, s.comma, b.Line-1)
		bld := array.NewRecordBuilder(mem, pipeline.RawSchema)
		defer bld.Release()
		n, from := 0, int64(0)
		hint.Reserve(bld, len(b.Data), batchRows)
		flush := func() {
			rec := bld.NewRecordBatch()
			to := r.r.InputOffset()
			hint.Learn(rec, to-from)
			b.Batches = append(b.Batches, rec)
			n, from = 0, to
		}
		for {
			cr, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil || cr.Err != nil {
				// A quote error may come from a split inside a quoted
				// field; any other error is not the block parser's to
				// judge. Either way the sequential parser reads the file
				// on from this block.
				b.Seq = true
				b.Release()
				return
			}
			b.Rows++
			rec, line := cr.Fields, cr.Line
			if len(rec) != len(s.hdr) {
				b.Rejects = append(b.Rejects, pipeline.Reject{
					File: file, Line: line, Reason: pipeline.ReasonMalformedRow,
					Detail: fmt.Sprintf("%d fields, header has %d", len(rec), len(s.hdr)),
					Raw:    render(s.comma, rec),
				})
				continue
			}
			rw := row{fields: rec, line: line, raw: func() string { return render(s.comma, rec) }}
			var ok bool
			if b.Rejects, ok = appendRow(bld, &mp, file, rw, b.Rejects); !ok {
				continue
			}
			if n++; n == batchRows {
				flush()
				hint.Reserve(bld, len(b.Data)-int(from), batchRows)
			}
		}
		if n > 0 {
			flush()
		}
	}
}

// SizeHint learns, from the batches parsed so far, how many rows and how
// many bytes of each text column a byte of input makes, so that the block
// parsers of a Splitter can size their builders once instead of growing
// them by doubling. Its methods are safe for concurrent use; the schema
// has at most 32 columns.
type SizeHint struct {
	mu          sync.Mutex
	rowsPerByte float64
	dataPerRow  [32]float64 // by column; 0 for non-text columns
}

// Learn takes rec, parsed from input bytes, as the model.
func (h *SizeHint) Learn(rec arrow.RecordBatch, input int64) {
	rows := rec.NumRows()
	if rows < 64 || input <= 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.rowsPerByte = float64(rows) / float64(input)
	for c, col := range rec.Columns() {
		if s, ok := col.(*array.String); ok && c < len(h.dataPerRow) {
			h.dataPerRow[c] = float64(len(s.ValueBytes())) / float64(rows)
		}
	}
}

// Reserve sizes bld for the rows of input bytes, at most maxRows, with a
// few percent to spare; it does nothing before anything is learnt.
func (h *SizeHint) Reserve(bld *array.RecordBuilder, input, maxRows int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.rowsPerByte == 0 || input <= 0 {
		return
	}
	rows := min(maxRows, int(float64(input)*h.rowsPerByte*1.03)+16)
	bld.Reserve(rows)
	for c, per := range h.dataPerRow {
		if per > 0 {
			bld.Field(c).(*array.StringBuilder).ReserveData(int(float64(rows)*per*1.05) + 64)
		}
	}
}
