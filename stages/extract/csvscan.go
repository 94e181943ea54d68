package extract

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"unsafe"
)

// maxRecordBytes bounds one record of a CSVScanner (a quote left open would
// otherwise swallow the rest of a large file into memory). A longer record
// fails the file.
const maxRecordBytes = 16 << 20

// ErrRecordTooLong is the error of a CSVScanner record longer than 16 MiB.
var ErrRecordTooLong = errors.New("a record is longer than 16 MiB (an unterminated quote?)")

// ErrUnterminated is the cause of a CSVScanner record whose quoted field is
// still open at the end of the input.
var ErrUnterminated = errors.New("unterminated quoted field")

// LineReader reads physical lines, counting them. It keeps no line after
// the next call.
type LineReader struct {
	br   *bufio.Reader
	line int64 // physical lines consumed
	off  int64 // bytes consumed
	buf  []byte
}

// NewLineReader reads lines from br; line is the number of lines of the
// file before br's input.
func NewLineReader(br *bufio.Reader, line int64) *LineReader {
	return &LineReader{br: br, line: line}
}

// Line is the line number of the last line read.
func (l *LineReader) Line() int64 { return l.line }

// Buffered is the reader lines are read from.
func (l *LineReader) Buffered() *bufio.Reader { return l.br }

// ReadLine returns the next line without its "\n" or "\r\n", and io.EOF
// when no bytes are left. A last line without a newline is returned.
func (l *LineReader) ReadLine() ([]byte, error) {
	l.buf = l.buf[:0]
	for {
		chunk, err := l.br.ReadSlice('\n')
		l.off += int64(len(chunk))
		l.buf = append(l.buf, chunk...)
		if len(l.buf) > maxRecordBytes {
			return nil, ErrRecordTooLong
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			if len(l.buf) == 0 {
				return nil, io.EOF
			}
			l.line++
			return bytes.TrimSuffix(l.buf, []byte("\r")), nil
		}
		if err != nil {
			return nil, err
		}
		l.line++
		b := l.buf[:len(l.buf)-1]
		return bytes.TrimSuffix(b, []byte("\r")), nil
	}
}

// CSVRecord is one record of a CSVScanner or a CSVReader: its field
// values, the physical line it starts on, and its raw text (a CSVScanner's
// has its physical lines joined by "\n"; a CSVReader's is the input as
// read, line ends included). Raw and the field strings may share memory
// with the reader's buffers: they are valid until the next record, and a
// caller that keeps one must copy it (strings.Clone).
type CSVRecord struct {
	Fields []string
	Line   int64
	Raw    []byte
	// Spans is each field's raw extent [start, end) in Raw (CSVScanner
	// only).
	Spans [][2]int
	// Err is set for a record that could not be parsed: the reader's
	// cause (ErrUnterminated, encoding/csv's ErrQuote or ErrBareQuote)
	// and the lines, which are the file's (Column is 0 from a
	// CSVScanner). Fields are then what could be read.
	Err *csv.ParseError
}

// Text is Raw[from:to] as a string sharing Raw's memory.
func (r *CSVRecord) Text(from, to int) string { return bytesString(r.Raw[from:to]) }

// CSVScanner splits records the way RFC 4180 does (quoted fields may hold
// commas, doubled quotes and newlines), with one leniency for Marketo's
// legacy activity files, whose attributes column is an unquoted JSON array:
// a quote inside an unquoted field is data, and once a record has a quote
// in a place RFC 4180 forbids (a quoted field followed by anything but a
// delimiter), every later quote in that record is data too, so such a
// record ends at the end of its line instead of swallowing the next ones.
// Blank lines are skipped. Only a quote still open at the end of the input
// makes a record an error; what else to reject is the caller's call, with
// the record's line and raw text at hand.
//
// It is the lax member of the CSV family (see CSVReader for the strict
// one), used by the activities reader. It allocates nothing per record
// once its buffers have grown, and gives each field's extent in the raw
// text, which the legacy attributes need.
type CSVScanner struct {
	lr      LineReader
	comma   byte
	rec     CSVRecord
	acc     []byte
	unquote []byte // the values of quoted fields with doubled quotes
}

// NewCSVScanner reads records of the given delimiter from br; line is the
// number of lines of the file before br's input.
func NewCSVScanner(br *bufio.Reader, comma byte, line int64) *CSVScanner {
	return &CSVScanner{lr: LineReader{br: br, line: line}, comma: comma}
}

// Buffered is the reader records are read from.
func (c *CSVScanner) Buffered() *bufio.Reader { return c.lr.br }

// Line is the line number of the last line read.
func (c *CSVScanner) Line() int64 { return c.lr.line }

// InputOffset is the number of bytes of the input read so far, up to the
// end of the last record.
func (c *CSVScanner) InputOffset() int64 { return c.lr.off }

// Next returns the next non-blank record, valid until the following call;
// io.EOF at the end. An open quote at the end of the input is returned as a
// record with Err set (the caller rejects it). Other errors are the
// input's, or ErrRecordTooLong.
func (c *CSVScanner) Next() (*CSVRecord, error) {
	for {
		line, err := c.lr.ReadLine()
		if err != nil {
			return nil, err
		}
		if len(line) == 0 {
			continue
		}
		c.rec.Line = c.lr.line
		c.acc = append(c.acc[:0], line...)
		for {
			var ok bool
			// A value is never longer than its record: with this capacity,
			// unquote is not reallocated while the fields point into it.
			if cap(c.unquote) < len(c.acc) {
				c.unquote = make([]byte, 0, 2*len(c.acc))
			}
			c.rec.Fields, c.rec.Spans, c.unquote, ok = splitRecord(c.acc, c.comma, c.rec.Fields[:0], c.rec.Spans[:0], c.unquote[:0])
			if ok {
				c.rec.Raw, c.rec.Err = c.acc, nil
				return &c.rec, nil
			}
			more, err := c.lr.ReadLine()
			if err == io.EOF {
				c.rec.Raw = c.acc
				c.rec.Err = &csv.ParseError{StartLine: int(c.rec.Line), Line: int(c.lr.line), Err: ErrUnterminated}
				return &c.rec, nil
			}
			if err != nil {
				return nil, err
			}
			c.acc = append(append(c.acc, '\n'), more...)
			if len(c.acc) > maxRecordBytes {
				return nil, ErrRecordTooLong
			}
		}
	}
}

// splitRecord splits rec into fields. It returns false when rec ends inside
// a quoted field (the record continues on the next line). The fields alias
// rec, or buf for quoted values with doubled quotes; buf must have a
// capacity of at least len(rec) so that appending to it never moves it.
func splitRecord(rec []byte, comma byte, fields []string, spans [][2]int, buf []byte) ([]string, [][2]int, []byte, bool) {
	broken := false
	i := 0
	for {
		start := i
		// A field taken as written runs from start to the first delimiter
		// at or after from.
		from, quoted := i, false
		if i < len(rec) && rec[i] == '"' && !broken {
			var val string
			j := i + 1
			b0 := len(buf)
			doubled := false
			for {
				k := bytes.IndexByte(rec[j:], '"')
				if k < 0 {
					return fields, spans, buf, false
				}
				if j+k+1 < len(rec) && rec[j+k+1] == '"' {
					if !doubled {
						buf = append(buf, rec[i+1:j]...)
						doubled = true
					}
					buf = append(buf, rec[j:j+k+1]...)
					j += k + 2
					continue
				}
				if doubled {
					buf = append(buf, rec[j:j+k]...)
					val = bytesString(buf[b0:])
				} else {
					val = bytesString(rec[i+1 : j+k])
				}
				j += k + 1
				break
			}
			if j == len(rec) || rec[j] == comma {
				fields = append(fields, val)
				spans = append(spans, [2]int{start, j})
				i, quoted = j, true
			} else {
				// Not CSV: take the field as written, up to the next
				// delimiter, and stop honouring quotes in this record.
				broken, from = true, j
			}
		}
		if !quoted {
			end := len(rec)
			if k := bytes.IndexByte(rec[from:], comma); k >= 0 {
				end = from + k
			}
			fields = append(fields, bytesString(rec[start:end]))
			spans = append(spans, [2]int{start, end})
			i = end
		}
		if i >= len(rec) {
			return fields, spans, buf, true
		}
		i++ // the delimiter
		if i == len(rec) {
			fields = append(fields, "")
			spans = append(spans, [2]int{i, i})
			return fields, spans, buf, true
		}
	}
}

// bytesString is b as a string without a copy: valid while b is not
// written, which for the record's fields is until the next record.
func bytesString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
