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
// whose field count differs from the header's is a malformed row.
type csvSource struct {
	r     *csv.Reader
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
	r := csv.NewReader(br)
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
	return &csvSource{r: r, hdr: append([]string(nil), hdr...), comma: comma}, nil
}

func (s *csvSource) header() []string { return s.hdr }

func (s *csvSource) next() (row, error) {
	rec, err := s.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) && !errors.Is(pe.Err, csv.ErrFieldCount) {
			return row{}, &rowError{line: int64(pe.StartLine), detail: pe.Err.Error()}
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
