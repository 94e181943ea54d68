package extract

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// A ".json" export comes in three shapes: JSON Lines (one object per line),
// a JSON array of objects (pretty-printed or not), and a Marketo REST
// response, {"requestId": …, "success": true, "result": [ … ]}. SniffJSON
// tells JSON Lines from the two single-document shapes, which a
// JSONDocument reads element by element with encoding/json's streaming
// Decoder (Token, More, Decode): a large array is never held whole.

// SniffJSON looks at the start of br, past a UTF-8 BOM and blank space
// (which it leaves in place), and reports whether the input is one JSON
// document (an array, a REST envelope or a pretty-printed object) rather
// than JSON Lines. The rule: an input starting with '[' is an array; one
// starting with '{' is a document when its first line is "{" alone (a
// pretty-printed object) or its first object is a REST response
// (isRESTResponse, pretty-printed or not, seen within br's buffer), else
// JSON Lines.
func SniffJSON(br *bufio.Reader) (bool, error) {
	head, err := br.Peek(br.Size())
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return false, err
	}
	head = bytes.TrimPrefix(head, []byte("\ufeff"))
	head = bytes.TrimLeft(head, " \t\r\n")
	if len(head) == 0 || head[0] == '[' {
		return len(head) > 0, nil
	}
	if head[0] != '{' {
		return false, nil
	}
	if isRESTResponse(head) {
		return true, nil
	}
	// A pretty-printer puts the opening brace of an object alone on its
	// line; a JSON Lines line that is broken is the reader's to reject.
	line, _, _ := bytes.Cut(head, []byte("\n"))
	return string(bytes.TrimSpace(line)) == "{", nil
}

// isRESTResponse reports whether the object at the start of b has a
// top-level key of a Marketo REST response: "result" holding an array, or
// "requestId" or "success", which no person or activity has. It looks no
// further than b.
func isRESTResponse(b []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return false
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return false
		}
		switch k {
		case "result":
			t, err := dec.Token()
			return err == nil && t == json.Delim('[')
		case "requestId", "success":
			return true
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return false
		}
	}
	return false
}

// JSONDocument reads the elements of a JSON array, or of the "result"
// array of a Marketo REST response, one at a time. It is the reader of an
// input SniffJSON calls a document. Next returns each element's JSON text
// and the line it starts on; a problem with the whole document (invalid
// JSON, another shape, a REST error response) is a *FileError with the
// line, and ends the reading.
type JSONDocument struct {
	dec   *json.Decoder
	lines *lineCounter
	// envelope is set for a REST response: after its result array the
	// rest of the object is read.
	envelope bool
	started  bool
	done     bool
}

// NewJSONDocument reads from br, which must be at the start of the input
// (a UTF-8 BOM is skipped).
func NewJSONDocument(br *bufio.Reader) *JSONDocument {
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\ufeff")) {
		br.Discard(3)
	}
	lc := &lineCounter{r: br}
	dec := json.NewDecoder(lc)
	return &JSONDocument{dec: dec, lines: lc}
}

// Next returns the next element and the line it starts on, or io.EOF
// after the last one. elem is valid until the next call.
func (d *JSONDocument) Next() (elem []byte, line int64, err error) {
	if d.done {
		return nil, 0, io.EOF
	}
	if !d.started {
		d.started = true
		if err := d.open(); err != nil {
			d.done = true
			return nil, 0, err
		}
	}
	if !d.dec.More() {
		d.done = true
		if err := d.close(); err != nil {
			return nil, 0, err
		}
		return nil, 0, io.EOF
	}
	raw, err := d.decode()
	if err != nil {
		d.done = true
		return nil, 0, d.syntax(err)
	}
	start := d.dec.InputOffset() - int64(len(raw))
	return raw, d.lines.lineAt(start), nil
}

// open reads up to the first element: past '[' of an array, or past the
// keys of a REST response up to its "result" array.
func (d *JSONDocument) open() error {
	t, err := d.dec.Token()
	if err == io.EOF {
		return &FileError{Line: 1, Err: errors.New("empty JSON document")}
	}
	if err != nil {
		return d.syntax(err)
	}
	switch t {
	case json.Delim('['):
		return nil
	case json.Delim('{'):
	default:
		return d.shapeError()
	}
	d.envelope = true
	var rest restFields
	for d.dec.More() {
		k, err := d.dec.Token()
		if err != nil {
			return d.syntax(err)
		}
		if k == "result" {
			t, err := d.dec.Token()
			if err != nil {
				return d.syntax(err)
			}
			if t != json.Delim('[') {
				return d.at(errors.New(`"result" is not an array: not a Marketo REST response`))
			}
			return nil
		}
		if err := rest.read(d, k.(string)); err != nil {
			return d.syntax(err)
		}
	}
	if msg := rest.failure(); msg != "" {
		return d.at(errors.New(msg))
	}
	return d.shapeError()
}

// close reads the end of the array, the rest of a REST response, and
// checks that nothing follows the document.
func (d *JSONDocument) close() error {
	if _, err := d.dec.Token(); err != nil { // ']'
		return d.syntax(err)
	}
	if d.envelope {
		var rest restFields
		for d.dec.More() {
			k, err := d.dec.Token()
			if err != nil {
				return d.syntax(err)
			}
			if err := rest.read(d, k.(string)); err != nil {
				return d.syntax(err)
			}
		}
		if _, err := d.dec.Token(); err != nil { // '}'
			return d.syntax(err)
		}
	}
	if _, err := d.dec.Token(); err != io.EOF {
		if err != nil {
			return d.syntax(err)
		}
		return d.at(errors.New("more data after the JSON document"))
	}
	return nil
}

// decode reads the next value as JSON text.
func (d *JSONDocument) decode() (json.RawMessage, error) {
	var raw json.RawMessage
	err := d.dec.Decode(&raw)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// Decode's offsets count neither from the stream's start (as
		// Token's do) nor from the value's: find the bad byte again in
		// what the decoder holds from the value's start on.
		start := d.dec.InputOffset()
		held, _ := io.ReadAll(d.dec.Buffered())
		var again json.RawMessage
		var at *json.SyntaxError
		se.Offset = start
		if errors.As(json.NewDecoder(bytes.NewReader(held)).Decode(&again), &at) && at.Offset > 0 {
			se.Offset = start + at.Offset - 1
		}
	}
	return raw, err
}

// shapeError is the one-line cause for a JSON document of another shape.
func (d *JSONDocument) shapeError() error {
	return d.at(errors.New(`a JSON document that is neither an array of objects nor a Marketo REST response ({"result": [...]})`))
}

// at is err at the decoder's current line.
func (d *JSONDocument) at(err error) error {
	return &FileError{Line: d.lines.lineAt(d.dec.InputOffset()), Err: err}
}

// syntax makes a decoding error a *FileError at its line.
func (d *JSONDocument) syntax(err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return &FileError{Line: d.lines.lineAt(se.Offset), Err: fmt.Errorf("invalid JSON: %v", se)}
	case err == io.ErrUnexpectedEOF || err == io.EOF:
		return d.at(errors.New("invalid JSON: the document ends early"))
	}
	return err
}

// restFields are the keys of a REST response besides "result" that tell a
// failed request.
type restFields struct {
	failed bool
	errors []struct {
		Code    json.RawMessage `json:"code"`
		Message string          `json:"message"`
	}
}

func (r *restFields) read(d *JSONDocument, key string) error {
	raw, err := d.decode()
	if err != nil {
		return err
	}
	switch key {
	case "success":
		r.failed = string(raw) == "false"
	case "errors":
		json.Unmarshal(raw, &r.errors) // a shape other than the documented one names no code
	}
	return nil
}

// failure is the cause of a failed REST response, "" when it did not fail.
// Marketo's error messages are fixed texts, not personal data.
func (r *restFields) failure() string {
	if !r.failed && len(r.errors) == 0 {
		return ""
	}
	var parts []string
	for _, e := range r.errors {
		parts = append(parts, strings.TrimSpace(strings.Trim(string(e.Code), `"`)+" "+e.Message))
	}
	if len(parts) == 0 {
		return "a Marketo REST error response (success false), not an export"
	}
	return "a Marketo REST error response, not an export: " + strings.Join(parts, "; ")
}

// lineCounter counts the lines of what is read through it, so that a byte
// offset of the stream (json.Decoder.InputOffset) can be given as a line.
// Offsets must be asked in increasing order; it keeps only the newlines
// read but not yet passed.
type lineCounter struct {
	r    io.Reader
	off  int64   // bytes read
	nl   []int64 // offsets of newlines not yet passed
	line int64   // newlines passed
}

func (c *lineCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for b, i := p[:n], 0; ; {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			break
		}
		c.nl = append(c.nl, c.off+int64(i+j))
		i += j + 1
	}
	c.off += int64(n)
	return n, err
}

// lineAt returns the 1-based line of offset off.
func (c *lineCounter) lineAt(off int64) int64 {
	i := 0
	for i < len(c.nl) && c.nl[i] < off {
		i++
	}
	c.line += int64(i)
	c.nl = c.nl[:copy(c.nl, c.nl[i:])]
	return c.line + 1
}
