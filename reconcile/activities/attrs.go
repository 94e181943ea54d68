package activities

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/actsync/actsync/stages/extract"
)

// Attribute names the reconcile SQL reads, in their canonical spelling.
// Attribute keys that match one of them case- and space-insensitively are
// rewritten to it ("Sent by" → "Sent By", "mergeIds" → "Merge IDs"); other
// keys are kept as written.
var canonicalAttrs = func() map[string]string {
	names := []string{
		"Sent By", "Received By", "Email Subject", "Template", "Template ID",
		"Sales Template Name", "Sales Template URL", "Sales Campaign Name", "Sales Campaign URL",
		"Sales Campaign ID", "Link", "Artifact ID", "Marketo Sales Person ID", "Source", "Details",
		"Email", "Merge IDs", "Description", "Date", "Type",
		"Sales Call Made By", "Sales Call Status", "Sales Call Subject", "Sales Phone Number Called",
		"Sales Call Duration", "Sales Call Recording URL", "Sales Call Answered By",
	}
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[nameKey(n)] = n
	}
	return m
}()

func canonicalAttr(name string) string {
	if c, ok := canonicalAttrs[nameKey(name)]; ok {
		return c
	}
	return name
}

var errAttrShape = errors.New("attributes are neither a JSON object nor an array of {name, value}")

// attrSet is the normalised attributes of one activity. It is reused from
// row to row; out, email and merge are valid until the next normalise.
type attrSet struct {
	keys  []string          // slow path only
	vals  []json.RawMessage // slow path only
	out   []byte            // the compact JSON object
	email string            // raw JSON value of "Email", "" when absent
	merge string            // raw JSON value of "Merge IDs", "" when absent
	names []string          // fast path: the names written to out
}

// normalise parses attributes given as a JSON object or as the legacy array
// of {"name":…,"value":…} and renders them as one compact JSON object keyed
// by display name (a later duplicate name wins). Empty input or the literal
// null is no attributes (ok false, no error).
func (a *attrSet) normalise(s string) (ok bool, err error) {
	a.keys, a.vals = a.keys[:0], a.vals[:0]
	a.email, a.merge = "", ""
	s = trimmedAttrs(s)
	if s == "" || s == "null" {
		return false, nil
	}
	if a.fast(s) {
		return true, nil
	}
	return a.slow(s)
}

func trimmedAttrs(s string) string { return strings.TrimSpace(s) }

// slow is normalise for any input: it decodes the attributes with
// encoding/json and renders them again.
func (a *attrSet) slow(s string) (ok bool, err error) {
	a.keys, a.vals = a.keys[:0], a.vals[:0]
	a.email, a.merge = "", ""
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return false, err
	}
	switch tok {
	case json.Delim('{'):
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return false, err
			}
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return false, err
			}
			a.put(kt.(string), v)
		}
	case json.Delim('['):
		for dec.More() {
			var nv struct {
				Name  *string         `json:"name"`
				Value json.RawMessage `json:"value"`
			}
			if err := dec.Decode(&nv); err != nil {
				return false, err
			}
			if nv.Name == nil {
				return false, errAttrShape
			}
			if nv.Value == nil {
				nv.Value = json.RawMessage("null")
			}
			a.put(*nv.Name, nv.Value)
		}
	default:
		return false, errAttrShape
	}
	if _, err := dec.Token(); err != nil { // the closing delimiter
		return false, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return false, errors.New("data after the attributes")
	}
	a.render()
	if v, ok := a.get("Email"); ok {
		a.email = string(v)
	}
	if v, ok := a.get("Merge IDs"); ok {
		a.merge = string(v)
	}
	return true, nil
}

// addFlat adds flattened attribute columns, one column per attribute
// (name as in the header, value as text), to the attributes normalise
// made (has: there were some). An attribute the attributes column already
// has keeps its value there; empty and null values are no attribute. It
// reports whether there are attributes now.
func (a *attrSet) addFlat(has bool, names, vals []string) (bool, error) {
	if has {
		if _, err := a.slow(string(a.out)); err != nil {
			return false, err
		}
	} else {
		a.keys, a.vals = a.keys[:0], a.vals[:0]
	}
	for i, n := range names {
		v, ok := extract.Value(vals[i])
		if !ok {
			continue
		}
		name := canonicalAttr(strings.TrimSpace(n))
		if _, dup := a.get(name); dup {
			continue
		}
		text, _ := json.Marshal(v) // a string always marshals
		a.keys = append(a.keys, name)
		a.vals = append(a.vals, text)
	}
	if len(a.keys) == 0 {
		return has, nil
	}
	a.render()
	a.email, a.merge = "", ""
	if v, ok := a.get("Email"); ok {
		a.email = string(v)
	}
	if v, ok := a.get("Merge IDs"); ok {
		a.merge = string(v)
	}
	return true, nil
}

func (a *attrSet) put(name string, v json.RawMessage) {
	name = canonicalAttr(strings.TrimSpace(name))
	for i, k := range a.keys {
		if k == name {
			a.vals[i] = v
			return
		}
	}
	a.keys = append(a.keys, name)
	a.vals = append(a.vals, v)
}

func (a *attrSet) render() {
	b := append(a.out[:0], '{')
	for i, k := range a.keys {
		if i > 0 {
			b = append(b, ',')
		}
		kb, _ := json.Marshal(k) // a string always marshals
		b = append(b, kb...)
		b = append(b, ':')
		var cb bytes.Buffer
		if json.Compact(&cb, a.vals[i]) == nil {
			b = append(b, cb.Bytes()...)
		} else {
			b = append(b, a.vals[i]...)
		}
	}
	a.out = append(b, '}')
}

// get returns the raw JSON value of a canonical attribute name.
func (a *attrSet) get(name string) (json.RawMessage, bool) {
	for i, k := range a.keys {
		if k == name {
			return a.vals[i], true
		}
	}
	return nil, false
}

// emailText is the Email attribute as text: a JSON string unquoted and
// trimmed, anything else as its JSON text; "" for null or absent.
func (a *attrSet) emailText() string {
	v := a.email
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		// The fast path leaves a value without escapes, in valid UTF-8, as
		// it is: what json.Unmarshal would return.
		if in := v[1 : len(v)-1]; strings.IndexByte(in, '\\') < 0 && utf8.ValidString(in) {
			return strings.TrimSpace(in)
		}
	}
	if v == "" {
		return ""
	}
	return jsonScalarText(json.RawMessage(v))
}

func jsonScalarText(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || string(v) == "null" {
		return ""
	}
	if v[0] == '"' {
		var s string
		if json.Unmarshal(v, &s) == nil {
			return strings.TrimSpace(s)
		}
	}
	return string(v)
}

// mergeIDs reads the Merge IDs attribute of a Merge Leads activity: a JSON
// array of ids, or the same written as a string ("[123, 456]" or
// "123,456"). Every run of digits is an id.
func (a *attrSet) mergeIDs(dst []int64) []int64 {
	if a.merge == "" {
		return dst
	}
	v := json.RawMessage(a.merge)
	s := string(v)
	if t := jsonScalarText(v); strings.HasPrefix(strings.TrimSpace(string(v)), `"`) {
		s = t
	}
	start := -1
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			if id, err := strconv.ParseInt(s[start:i], 10, 64); err == nil && id > 0 {
				dst = append(dst, id)
			}
			start = -1
		}
	}
	return dst
}
