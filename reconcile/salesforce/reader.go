package salesforce

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/pipeline"
	"github.com/actsync/actsync/stages/extract"
	"github.com/actsync/actsync/stages/mapping"
	"github.com/actsync/actsync/state"
)

// Reject is an input row that could not be used (state.InputReject); Raw is
// the CSV fields re-joined with the separator, or the JSON line.
type Reject = state.InputReject

// MissingColumnsError is an input file without a column the reconciliation
// cannot work without: it fails the run before anything is written.
type MissingColumnsError struct {
	Input   string
	Missing []string
	Found   []string
}

func (e *MissingColumnsError) Error() string {
	return fmt.Sprintf("not a %s export: no column %s (columns found: %s)",
		e.Input, strings.Join(e.Missing, ", "), strings.Join(e.Found, ", "))
}

// DefaultBatchRows is the number of rows per batch Read emits.
const DefaultBatchRows = 16 * 1024

// Read parses src as the input in and calls emit with batches of
// in.Schema(), at most batchRows rows each (DefaultBatchRows when 0). emit
// borrows the batch: Read releases it when emit returns. Rows that cannot
// be used are returned as Rejects and reading goes on; a problem with the
// whole file (a required column missing, Parquet, a broken gzip stream, an
// unreadable file) is an *extract.FileError.
func Read(src extract.Source, in *Input, mem memory.Allocator, batchRows int, emit func(arrow.RecordBatch) error) (pipeline.Input, []Reject, error) {
	stats := pipeline.Input{Path: src.Path, Format: in.Format + "_" + string(src.Format)}
	if src.Format == extract.Parquet {
		return stats, nil, &extract.FileError{File: src.Path, Err: fmt.Errorf("%s exports are CSV or JSON Lines, not Parquet", in.Name)}
	}
	if batchRows <= 0 {
		batchRows = DefaultBatchRows
	}
	f, err := extract.OpenText(src)
	if err != nil {
		return stats, nil, err
	}
	defer f.Close()
	stats.Gzip = f.Gzip()
	r := bufio.NewReaderSize(f, 64<<10)
	p := &parser{in: in, file: src.Path, bld: array.NewRecordBuilder(mem, in.schema), emit: emit, batch: batchRows,
		text: make([]string, len(in.fields)), vals: make([]cell, len(in.fields))}
	defer p.bld.Release()
	if src.Format == extract.JSONL {
		err = p.jsonl(r, &stats)
	} else {
		comma := ','
		if src.Format == extract.TSV {
			comma = '\t'
		}
		err = p.csv(r, comma, &stats)
	}
	if err == nil {
		err = p.flush()
	}
	if err != nil {
		var fe *extract.FileError
		if !errors.As(err, &fe) {
			err = &extract.FileError{File: src.Path, Err: err}
		}
		return stats, nil, err
	}
	// Read what is left (a trailing gzip member, padding) so that the hash
	// and size are the whole file's.
	if stats.SHA256, stats.Bytes, err = f.Finish(); err != nil {
		return stats, nil, err
	}
	return stats, p.rejects, nil
}

// parser turns rows of text into batches of its input's schema.
type parser struct {
	in      *Input
	file    string
	bld     *array.RecordBuilder
	emit    func(arrow.RecordBatch) error
	batch   int
	rejects []Reject
	text    []string // one per field: the row's value, trimmed, "" when absent
	vals    []cell   // one per field: text parsed
	// JSON Lines, reused from line to line.
	obj   map[string]json.RawMessage
	keys  []string
	named map[string]string // normalised key → value
	norm  map[string]string // key → extract.NormalizeHeader(key), for the first keys seen
}

// cell is one field's value, parsed once: what the builder appends and
// what the row rules look at.
type cell struct {
	set bool   // false: empty, appended as NULL
	s   string // kString; kSFID in its 18-character form
	n   int64  // kInt; kDate as days since 1970-01-01 (arrow.Date32); kTime as µs since 1970 UTC
	b   bool   // kBool
}

func (p *parser) reject(line int64, reason, detail, raw string) {
	p.rejects = append(p.rejects, Reject{File: p.file, Line: line, Reason: reason, Detail: detail, Raw: raw})
}

// headerMap maps each field to the positions of its aliases among the
// normalised headers, in alias order.
func (p *parser) headerMap(headers []string) (src [][]int, unknown []string) {
	pos := map[string]int{}
	for i, h := range headers {
		if _, dup := pos[h]; !dup {
			pos[h] = i
		}
	}
	used := make([]bool, len(headers))
	src = make([][]int, len(p.in.fields))
	for fi, f := range p.in.fields {
		for _, a := range f.aliases {
			if i, ok := pos[a]; ok {
				src[fi] = append(src[fi], i)
				used[i] = true
			}
		}
	}
	for i, u := range used {
		if !u {
			unknown = append(unknown, headers[i])
		}
	}
	return src, unknown
}

func (p *parser) csv(r io.Reader, comma rune, stats *pipeline.Input) error {
	cr := extract.NewCSVReader(r, comma, 0)
	hrec, err := cr.Next()
	if err == io.EOF {
		return errors.New("empty file: no header")
	}
	if err != nil {
		return err
	}
	if hrec.Err != nil {
		return hrec.Err
	}
	header := hrec.Fields
	raw := append([]string(nil), header...)
	norm := make([]string, len(header))
	for i, h := range header {
		norm[i] = extract.NormalizeHeader(h)
	}
	src, unknown := p.headerMap(norm)
	var missing []string
	for fi, f := range p.in.fields {
		if f.header && len(src[fi]) == 0 {
			missing = append(missing, f.name)
		}
	}
	if len(p.in.person) > 0 && len(src[p.in.col(p.in.person[0])]) == 0 && len(src[p.in.col(p.in.person[1])]) == 0 {
		missing = append(missing, strings.Join(p.in.person, " or "))
	}
	if len(missing) > 0 {
		return &MissingColumnsError{Input: p.in.Name, Missing: missing, Found: raw}
	}
	for i, h := range norm {
		for _, u := range unknown {
			if h == u {
				stats.Unknown = append(stats.Unknown, strings.TrimPrefix(strings.TrimSpace(raw[i]), "\ufeff"))
				break
			}
		}
	}
	sep := string(comma)
	// Every row reuses one slice, the header's too (only its length is
	// kept); the values are strings of their own.
	fields := len(header)
	for {
		cur, err := cr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		rec, line := cur.Fields, cur.Line
		stats.Rows++
		if cur.Err != nil {
			p.reject(line, ReasonMalformedRow, cur.Err.Err.Error(), strings.Join(rec, sep))
			continue
		}
		if len(rec) != fields {
			p.reject(line, ReasonMalformedRow, fmt.Sprintf("%d fields, the header has %d", len(rec), fields), strings.Join(rec, sep))
			continue
		}
		for fi := range p.text {
			p.text[fi] = ""
			for _, i := range src[fi] {
				if v, ok := extract.Value(rec[i]); ok {
					p.text[fi] = v
					break
				}
			}
		}
		reason, detail, err := p.row(line)
		if err != nil {
			return err
		}
		if reason != "" {
			p.reject(line, reason, detail, strings.Join(rec, sep))
		}
	}
}

func (p *parser) jsonl(r io.Reader, stats *pipeline.Input) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var line int64
	for {
		b, err := br.ReadBytes('\n')
		if len(b) == 0 && err == io.EOF {
			return nil
		}
		if err != nil && err != io.EOF {
			return err
		}
		line++
		b = bytes.TrimRight(b, "\r\n")
		if line == 1 {
			b = bytes.TrimPrefix(b, []byte("\ufeff"))
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		stats.Rows++
		reason, detail := p.jsonFields(b)
		if reason == "" {
			var rowErr error
			if reason, detail, rowErr = p.row(line); rowErr != nil {
				return rowErr
			}
		}
		if reason != "" {
			p.reject(line, reason, detail, string(b))
		}
		if err == io.EOF {
			return nil
		}
	}
}

// jsonFields decodes one JSON line into p.text, or returns why the line
// is malformed.
func (p *parser) jsonFields(b []byte) (reason, detail string) {
	if !p.decodeObject(b) {
		return ReasonMalformedRow, "not one JSON object"
	}
	// Keys in sorted order, so that of two spellings of one field ("Id"
	// and "id") the same one wins every time: the first non-empty.
	p.keys = p.keys[:0]
	for k := range p.obj {
		p.keys = append(p.keys, k)
	}
	slices.Sort(p.keys)
	if p.named == nil {
		p.named = map[string]string{}
	}
	clear(p.named)
	bad := ""
	for _, k := range p.keys {
		s, ok := jsonScalar(p.obj[k])
		if !ok {
			bad = k
		}
		nk := p.normalize(k)
		if prev, dup := p.named[nk]; !dup || prev == "" {
			p.named[nk] = s
		}
	}
	if bad != "" {
		return ReasonMalformedRow, "field " + strconv.Quote(bad) + " is not a string, number, boolean or null"
	}
	for fi, f := range p.in.fields {
		p.text[fi] = ""
		for _, a := range f.aliases {
			if v, ok := extract.Value(p.named[a]); ok {
				p.text[fi] = v
				break
			}
		}
	}
	return "", ""
}

// decodeObject decodes b into p.obj and reports whether b is one JSON
// object.
func (p *parser) decodeObject(b []byte) bool {
	reset := func() {
		if p.obj == nil { // a first line, or the last one was null
			p.obj = map[string]json.RawMessage{}
		}
		clear(p.obj)
	}
	reset()
	if json.Unmarshal(b, &p.obj) == nil {
		return p.obj != nil
	}
	// Unmarshal refuses any text after the object; a decoder, which is
	// what decides, stops after it and counts as more only text that does
	// not start with a closing bracket. Such lines are rare: ask a decoder,
	// so that the lines refused stay the ones they always were.
	reset()
	dec := json.NewDecoder(bytes.NewReader(b))
	return dec.Decode(&p.obj) == nil && p.obj != nil && !dec.More()
}

// jsonScalar is a JSON value as text: a string's contents, a number as
// written, true or false, "" for null; false for an object or an array.
func jsonScalar(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 {
		return "", true
	}
	switch raw[0] {
	case '"':
		in := raw[1 : len(raw)-1]
		if bytes.IndexByte(in, '\\') < 0 && utf8.Valid(in) {
			return string(in), true
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false // not reached: the line was valid JSON
		}
		return s, true
	case 'n':
		return "", true
	case 't':
		return "true", true
	case 'f':
		return "false", true
	case '{', '[':
		return "", false
	}
	return string(raw), true // a number
}

// normalize is extract.NormalizeHeader of a JSON key, remembered for the
// first keys seen (an export repeats the same few on every line).
func (p *parser) normalize(k string) string {
	if nk, ok := p.norm[k]; ok {
		return nk
	}
	nk := extract.NormalizeHeader(k)
	if p.norm == nil {
		p.norm = map[string]string{}
	}
	if len(p.norm) < 256 {
		p.norm[k] = nk
	}
	return nk
}

// row parses the row in p.text and appends it, or returns the reason and
// detail of its reject.
func (p *parser) row(line int64) (reason, detail string, err error) {
	vals := p.vals
	for fi, f := range p.in.fields {
		v := p.text[fi]
		if v == "" {
			v = f.dflt
		}
		if v == "" {
			if f.required {
				return "missing_" + f.name, f.name + " is empty", nil
			}
			vals[fi] = cell{}
			continue
		}
		c, ok := parse(f.kind, v)
		if !ok {
			return "invalid_" + f.name, f.name + ": " + describe(f.kind), nil
		}
		vals[fi] = c
	}
	if len(p.in.person) > 0 {
		has := false
		for _, name := range p.in.person {
			has = has || vals[p.in.col(name)].set
		}
		if !has {
			return ReasonMissingPerson, "neither " + strings.Join(p.in.person, " nor ") + " is given", nil
		}
	}
	if p.in.check != nil {
		if reason, detail := p.in.check(vals); reason != "" {
			return reason, detail, nil
		}
	}
	for fi, f := range p.in.fields {
		p.append(fi, f.kind, vals[fi])
	}
	n := len(p.in.fields)
	p.bld.Field(n).(*array.StringBuilder).Append(p.file)
	p.bld.Field(n + 1).(*array.Int64Builder).Append(line)
	if p.bld.Field(0).Len() >= p.batch {
		return "", "", p.flush()
	}
	return "", "", nil
}

// flush emits the rows built so far, if any.
func (p *parser) flush() error {
	if p.bld.Field(0).Len() == 0 {
		return nil
	}
	b := p.bld.NewRecordBatch()
	defer b.Release()
	return p.emit(b)
}

func (p *parser) append(fi int, k kind, c cell) {
	b := p.bld.Field(fi)
	if !c.set {
		b.AppendNull()
		return
	}
	switch k {
	case kInt:
		b.(*array.Int64Builder).Append(c.n)
	case kBool:
		b.(*array.BooleanBuilder).Append(c.b)
	case kDate:
		b.(*array.Date32Builder).Append(arrow.Date32(c.n))
	case kTime:
		b.(*array.TimestampBuilder).Append(arrow.Timestamp(c.n))
	default:
		b.(*array.StringBuilder).Append(c.s)
	}
}

// parse reads v (trimmed, not empty) as k: a positive integer, a boolean
// (true/false, 1/0, yes/no, y/n, t/f), a date (a timestamp keeps its UTC
// date), a timestamp in UTC, or a 15- or 18-character Salesforce id (kept
// in its 18-character form).
func parse(k kind, v string) (cell, bool) {
	switch k {
	case kInt:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return cell{}, false
		}
		return cell{set: true, n: n}, true
	case kBool:
		switch strings.ToLower(v) {
		case "true", "1", "yes", "y", "t":
			return cell{set: true, b: true}, true
		case "false", "0", "no", "n", "f":
			return cell{set: true, b: false}, true
		}
		return cell{}, false
	case kDate:
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			var ok bool
			if t, ok = parseTime(v); !ok {
				return cell{}, false
			}
			y, m, d := t.Date()
			t = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		}
		return cell{set: true, n: int64(arrow.Date32FromTime(t))}, true
	case kTime:
		t, ok := parseTime(v)
		if !ok {
			return cell{}, false
		}
		return cell{set: true, n: t.UnixMicro()}, true
	case kSFID:
		id, ok := mapping.NormalizeSFDCID(v)
		if !ok {
			return cell{}, false
		}
		return cell{set: true, s: id}, true
	}
	return cell{set: true, s: v}, true
}

// parseTime reads a timestamp: the layouts of the people exports, and
// Salesforce's "2006-01-02T15:04:05.000+0000".
func parseTime(v string) (time.Time, bool) {
	// Both Salesforce layouts end in a numeric offset, "+0000": skip them
	// for a value that does not (time.Parse allocates an error to say so).
	if n := len(v); n >= 5 && (v[n-5] == '+' || v[n-5] == '-') {
		for _, layout := range []string{"2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700"} {
			if t, err := time.Parse(layout, v); err == nil {
				return checkYear(t.UTC())
			}
		}
	}
	t, ok := pipeline.ParseTimestamp(v)
	if !ok {
		return t, false
	}
	return checkYear(t)
}

func checkYear(t time.Time) (time.Time, bool) {
	if t.Year() < 1900 || t.Year() > 9999 {
		return time.Time{}, false
	}
	return t, true
}

func describe(k kind) string {
	switch k {
	case kInt:
		return "not a positive integer"
	case kBool:
		return "not true or false"
	case kDate:
		return "not a date"
	case kTime:
		return "not a date-time"
	case kSFID:
		return "not a 15- or 18-character Salesforce id"
	}
	return "invalid"
}
