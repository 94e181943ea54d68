package salesforce

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/pipeline"
	"github.com/actsync/actsync/stages/extract"
	"github.com/actsync/actsync/stages/load"
	"github.com/actsync/actsync/stages/mapping"
)

// Reject is an input row that could not be used (load.InputReject); Raw is
// the CSV fields re-joined with the separator, or the JSON line.
type Reject = load.InputReject

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
	p := &parser{in: in, file: src.Path, bld: array.NewRecordBuilder(mem, in.schema), emit: emit, batch: batchRows}
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
	vals    []string // one per field, reused
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
	cr := csv.NewReader(r)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return errors.New("empty file: no header")
	}
	if err != nil {
		return err
	}
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
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			stats.Rows++
			p.reject(int64(pe.StartLine), ReasonMalformedRow, pe.Err.Error(), strings.Join(rec, sep))
			continue
		}
		if err != nil {
			return err
		}
		stats.Rows++
		line, _ := cr.FieldPos(0)
		rawRow := strings.Join(rec, sep)
		if len(rec) != len(header) {
			p.reject(int64(line), ReasonMalformedRow, fmt.Sprintf("%d fields, the header has %d", len(rec), len(header)), rawRow)
			continue
		}
		if err := p.row(int64(line), rawRow, func(fi int) string {
			for _, i := range src[fi] {
				if v, ok := extract.Value(rec[i]); ok {
					return v
				}
			}
			return ""
		}); err != nil {
			return err
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
		text := strings.TrimRight(string(b), "\r\n")
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		stats.Rows++
		dec := json.NewDecoder(strings.NewReader(text))
		dec.UseNumber()
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil || obj == nil || dec.More() {
			p.reject(line, ReasonMalformedRow, "not one JSON object", text)
			continue
		}
		// Keys in sorted order, so that of two spellings of one field
		// ("Id" and "id") the same one wins every time: the first non-empty.
		fields := map[string]string{}
		bad := ""
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			v := obj[k]
			nk := extract.NormalizeHeader(k)
			var s string
			switch v := v.(type) {
			case nil:
			case string:
				s = v
			case json.Number:
				s = v.String()
			case bool:
				s = strconv.FormatBool(v)
			default:
				bad = k
			}
			if prev, dup := fields[nk]; !dup || prev == "" {
				fields[nk] = s
			}
		}
		if bad != "" {
			p.reject(line, ReasonMalformedRow, "field "+strconv.Quote(bad)+" is not a string, number, boolean or null", text)
			continue
		}
		if err := p.row(line, text, func(fi int) string {
			for _, a := range p.in.fields[fi].aliases {
				if v, ok := extract.Value(fields[a]); ok {
					return v
				}
			}
			return ""
		}); err != nil {
			return err
		}
		if err == io.EOF {
			return nil
		}
	}
}

// row validates one row, whose field values get returns (trimmed, "" when
// absent), and appends it or rejects it.
func (p *parser) row(line int64, raw string, get func(field int) string) error {
	if p.vals == nil {
		p.vals = make([]string, len(p.in.fields))
	}
	vals := p.vals
	for fi, f := range p.in.fields {
		v := get(fi)
		if v == "" {
			v = f.dflt
		}
		if v == "" {
			if f.required {
				p.reject(line, "missing_"+f.name, f.name+" is empty", raw)
				return nil
			}
			vals[fi] = ""
			continue
		}
		norm, ok := check(f.kind, v)
		if !ok {
			p.reject(line, "invalid_"+f.name, f.name+": "+describe(f.kind), raw)
			return nil
		}
		vals[fi] = norm
	}
	if len(p.in.person) > 0 {
		has := false
		for _, name := range p.in.person {
			has = has || vals[p.in.col(name)] != ""
		}
		if !has {
			p.reject(line, ReasonMissingPerson, "neither "+strings.Join(p.in.person, " nor ")+" is given", raw)
			return nil
		}
	}
	if p.in.check != nil {
		if reason, detail := p.in.check(vals); reason != "" {
			p.reject(line, reason, detail, raw)
			return nil
		}
	}
	for fi, f := range p.in.fields {
		p.append(fi, f.kind, vals[fi])
	}
	n := len(p.in.fields)
	p.bld.Field(n).(*array.StringBuilder).Append(p.file)
	p.bld.Field(n + 1).(*array.Int64Builder).Append(line)
	if p.bld.Field(0).Len() >= p.batch {
		return p.flush()
	}
	return nil
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

func (p *parser) append(fi int, k kind, v string) {
	b := p.bld.Field(fi)
	if v == "" {
		b.AppendNull()
		return
	}
	switch k {
	case kInt:
		n, _ := strconv.ParseInt(v, 10, 64)
		b.(*array.Int64Builder).Append(n)
	case kBool:
		b.(*array.BooleanBuilder).Append(v == "true")
	case kDate:
		t, _ := time.Parse(time.DateOnly, v)
		b.(*array.Date32Builder).Append(arrow.Date32FromTime(t))
	case kTime:
		t, _ := time.Parse(time.RFC3339Nano, v)
		b.(*array.TimestampBuilder).Append(arrow.Timestamp(t.UnixMicro()))
	default:
		b.(*array.StringBuilder).Append(v)
	}
}

// check parses v as k and returns it in a canonical text form that append
// reads back: an integer, "true"/"false", a date, an RFC 3339 UTC
// timestamp, or an 18-character Salesforce id.
func check(k kind, v string) (string, bool) {
	switch k {
	case kInt:
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return "", false
		}
		return strconv.FormatInt(n, 10), true
	case kBool:
		switch strings.ToLower(v) {
		case "true", "1", "yes", "y", "t":
			return "true", true
		case "false", "0", "no", "n", "f":
			return "false", true
		}
		return "", false
	case kDate:
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			return t.Format(time.DateOnly), true
		}
		t, ok := parseTime(v)
		if !ok {
			return "", false
		}
		return t.Format(time.DateOnly), true
	case kTime:
		t, ok := parseTime(v)
		if !ok {
			return "", false
		}
		return t.Format(time.RFC3339Nano), true
	case kSFID:
		return mapping.NormalizeSFDCID(v)
	}
	return v, true
}

// parseTime reads a timestamp: the layouts of the people exports, and
// Salesforce's "2006-01-02T15:04:05.000+0000".
func parseTime(v string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700"} {
		if t, err := time.Parse(layout, v); err == nil {
			return checkYear(t.UTC())
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
