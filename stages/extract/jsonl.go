package extract

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
)

// jsonlSource reads JSON Lines: one object per line, keys matched like CSV
// headers. Objects may omit keys (the REST API leaves out null fields), so
// the header is the union of the keys seen so far. Strings are taken as is,
// numbers in their JSON spelling, booleans as true/false, null as NULL and
// nested values as their JSON text. A line that is not an object is a
// malformed row; blank lines are skipped. A JSON array of objects or a
// Marketo REST response ({"result": [...]}) is read the same way, element
// by element (doc), each at the line where it starts (see SniffJSON).
type jsonlSource struct {
	sc   *bufio.Scanner
	doc  *JSONDocument
	line int64
	hdr  []string
	pos  map[string]int
	vals []string
}

// maxLine bounds one JSON line (and so one person record).
const maxLine = 64 << 20

// newJSONLSource reads JSON Lines, or a JSON document when SniffJSON says
// in is one.
func newJSONLSource(in *bufio.Reader) (*jsonlSource, error) {
	s := &jsonlSource{pos: map[string]int{}}
	doc, err := SniffJSON(in)
	if err != nil {
		return nil, err
	}
	if doc {
		s.doc = NewJSONDocument(in)
		return s, nil
	}
	s.sc = bufio.NewScanner(in)
	s.sc.Buffer(make([]byte, 0, 64*1024), maxLine)
	return s, nil
}

// document reports whether the source is reading a JSON document rather
// than JSON Lines.
func (s *jsonlSource) document() bool { return s.doc != nil }

func (s *jsonlSource) header() []string { return s.hdr }

func (s *jsonlSource) next() (row, error) {
	if s.doc != nil {
		elem, line, err := s.doc.Next()
		if err != nil {
			return row{}, err
		}
		if elem[0] != '{' {
			return row{}, &RowError{Line: line, Detail: "array element is not a JSON object", Raw: string(elem)}
		}
		return s.object(elem, line)
	}
	for s.sc.Scan() {
		s.line++
		text := bytes.TrimSpace(s.sc.Bytes())
		if s.line == 1 {
			text = bytes.TrimPrefix(text, []byte("\ufeff"))
		}
		if len(text) == 0 {
			continue
		}
		return s.object(text, s.line)
	}
	if err := s.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return row{}, &FileError{Line: s.line + 1, Err: fmt.Errorf("line longer than %d bytes", maxLine)}
		}
		return row{}, err
	}
	return row{}, io.EOF
}

// object makes the row of one JSON object, the text of a line or of an
// array element starting at line.
func (s *jsonlSource) object(text []byte, line int64) (row, error) {
	raw := string(text)
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(text, &obj); err != nil || obj == nil {
		detail := "not a JSON object"
		var se *json.SyntaxError
		if errors.As(err, &se) {
			detail = "invalid JSON: " + se.Error()
		}
		return row{}, &RowError{Line: line, Detail: detail, Raw: raw}
	}
	for i := range s.vals {
		s.vals[i] = ""
	}
	// Keys in sorted order: a key's position decides which of two
	// spellings of one field wins and the order of unknown columns, so
	// it must not follow map iteration.
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		v := obj[k]
		p, ok := s.pos[k]
		if !ok {
			p = len(s.hdr)
			s.pos[k] = p
			s.hdr = append(s.hdr, k)
			s.vals = append(s.vals, "")
		}
		val, err := jsonText(v)
		if err != nil {
			return row{}, &RowError{Line: line, Detail: fmt.Sprintf("key %q: %v", k, err), Raw: raw}
		}
		s.vals[p] = val
	}
	return row{fields: s.vals, line: line, raw: func() string { return raw }}, nil
}

// jsonText renders one JSON value as the text a CSV export would hold.
func jsonText(v json.RawMessage) (string, error) {
	v = bytes.TrimSpace(v)
	switch {
	case len(v) == 0 || string(v) == "null":
		return "", nil
	case v[0] == '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", err
		}
		if s == "" {
			return "", nil
		}
		return s, nil
	case string(v) == "true" || string(v) == "false":
		return string(v), nil
	case v[0] == '-' || (v[0] >= '0' && v[0] <= '9'):
		if _, err := strconv.ParseFloat(string(v), 64); err != nil {
			return "", err
		}
		return string(v), nil
	}
	return string(v), nil
}
