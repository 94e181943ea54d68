package extract

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// csvSource reads CSV or TSV with encoding/csv: quoted fields, quoted
// newlines and CRLF are handled there. A UTF-8 BOM is dropped. A record
// whose field count differs from the header's is a malformed row, and so
// is one encoding/csv cannot parse (its text is kept for the reject).
type csvSource struct {
	r     *csv.Reader
	tape  *tape
	hdr   []string
	comma rune
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
func (t *tape) text(from, to int64) string {
	return string(t.buf[from-t.off : to-t.off])
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
	t := &tape{r: br}
	r := csv.NewReader(t)
	r.Comma = comma
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	hdr, err := r.Read()
	if err == io.EOF {
		return nil, &FileError{File: path, Err: errors.New("empty file: no header row")}
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, &FileError{File: path, Line: int64(pe.StartLine), Err: fmt.Errorf("header: %w", pe.Err)}
		}
		return nil, asFileError(path, err)
	}
	return &csvSource{r: r, tape: t, hdr: append([]string(nil), hdr...), comma: comma}, nil
}

func (s *csvSource) header() []string { return s.hdr }

func (s *csvSource) next() (row, error) {
	start := s.r.InputOffset()
	s.tape.keep = start
	rec, err := s.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) && !errors.Is(pe.Err, csv.ErrFieldCount) {
			raw := strings.Trim(s.tape.text(start, s.r.InputOffset()), "\r\n")
			return row{}, &rowError{line: int64(pe.StartLine), detail: pe.Err.Error(), raw: raw}
		}
		return row{}, err
	}
	line, _ := s.r.FieldPos(0)
	if len(rec) != len(s.hdr) {
		return row{}, &rowError{
			line:   int64(line),
			detail: fmt.Sprintf("%d fields, header has %d", len(rec), len(s.hdr)),
			raw:    s.render(rec),
		}
	}
	return row{fields: rec, line: int64(line), raw: func() string { return s.render(rec) }}, nil
}

// render writes a record back as one line of the file's dialect.
func (s *csvSource) render(rec []string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Comma = s.comma
	w.Write(rec)
	w.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}
