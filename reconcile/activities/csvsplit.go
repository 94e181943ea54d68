package activities

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"unsafe"
)

// maxRecordBytes bounds one CSV record (a quote left open would otherwise
// swallow the rest of a large file into memory). A longer record fails the
// file.
const maxRecordBytes = 16 << 20

var errRecordTooLong = errors.New("a record is longer than 16 MiB (an unterminated quote?)")

// lineReader reads physical lines, counting them. It keeps no line after
// the next call.
type lineReader struct {
	br   *bufio.Reader
	line int64 // physical lines consumed
	buf  []byte
}

// readLine returns the next line without its "\n" or "\r\n", and io.EOF
// when no bytes are left. A last line without a newline is returned.
func (l *lineReader) readLine() ([]byte, error) {
	l.buf = l.buf[:0]
	for {
		chunk, err := l.br.ReadSlice('\n')
		l.buf = append(l.buf, chunk...)
		if len(l.buf) > maxRecordBytes {
			return nil, errRecordTooLong
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

// csvRecord is one CSV record as split by splitRecord: its raw text (the
// physical lines joined by "\n"), its field values, and each field's raw
// extent [start, end) in raw. The field strings share memory with the
// reader's buffers: they are valid until the next record, and a caller that
// keeps one must copy it (strings.Clone).
type csvRecord struct {
	raw    []byte
	fields []string
	spans  [][2]int
	line   int64 // first physical line
}

// csvReader splits records the way RFC 4180 does (quoted fields may hold
// commas, doubled quotes and newlines), with one leniency for Marketo's
// legacy activity files, whose attributes column is an unquoted JSON array:
// a quote inside an unquoted field is data, and once a record has a quote
// in a place RFC 4180 forbids (a quoted field followed by anything but a
// delimiter), every later quote in that record is data too, so such a
// record ends at the end of its line instead of swallowing the next ones.
type csvReader struct {
	lr      lineReader
	comma   byte
	rec     csvRecord
	acc     []byte
	unquote []byte // the values of quoted fields with doubled quotes
}

// next returns the next non-blank record, valid until the following call;
// io.EOF at the end. An open quote at the end of the input is returned as a
// record with ok false (the caller rejects it).
func (c *csvReader) next() (rec *csvRecord, complete bool, err error) {
	for {
		line, err := c.lr.readLine()
		if err != nil {
			return nil, false, err
		}
		if len(line) == 0 {
			continue
		}
		c.rec.line = c.lr.line
		c.acc = append(c.acc[:0], line...)
		for {
			var ok bool
			// A value is never longer than its record: with this capacity,
			// unquote is not reallocated while the fields point into it.
			if cap(c.unquote) < len(c.acc) {
				c.unquote = make([]byte, 0, 2*len(c.acc))
			}
			c.rec.fields, c.rec.spans, c.unquote, ok = splitRecord(c.acc, c.comma, c.rec.fields[:0], c.rec.spans[:0], c.unquote[:0])
			if ok {
				c.rec.raw = c.acc
				return &c.rec, true, nil
			}
			more, err := c.lr.readLine()
			if err == io.EOF {
				c.rec.raw = c.acc
				return &c.rec, false, nil
			}
			if err != nil {
				return nil, false, err
			}
			c.acc = append(append(c.acc, '\n'), more...)
			if len(c.acc) > maxRecordBytes {
				return nil, false, errRecordTooLong
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
				i = j
			} else {
				// Not CSV: take the field as written, up to the next
				// delimiter, and stop honouring quotes in this record.
				broken = true
				end := len(rec)
				if k := bytes.IndexByte(rec[j:], comma); k >= 0 {
					end = j + k
				}
				fields = append(fields, bytesString(rec[start:end]))
				spans = append(spans, [2]int{start, end})
				i = end
			}
		} else {
			end := len(rec)
			if k := bytes.IndexByte(rec[i:], comma); k >= 0 {
				end = i + k
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
