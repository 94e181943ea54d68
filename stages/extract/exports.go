package extract

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/pipeline"
)

// Export is one delivery found by FindExports: what one backfill run
// applies.
type Export struct {
	// Name identifies the export relative to the backfill root: a dated
	// directory, "DIR/YYYY-MM-DD" for dated files sharing a directory, or
	// an undated file.
	Name    string
	Sources []Source // person exports, name order, Index from 0
	// Activities are the activity exports among the files (a header with
	// activityTypeId), name order, Index from 0: the same run reconciles
	// them after syncing Sources.
	Activities []Source
	// AsOf is what the export describes: midnight UTC at the start of the
	// date in its path (the export was made that day, so a person updated
	// later that day may be missing from it), or else the newest updatedAt
	// inside it.
	AsOf     time.Time
	AsOfFrom string // AsOfPath or AsOfUpdatedAt
	Bytes    int64
}

// Where an Export's AsOf comes from.
const (
	AsOfPath      = "path"
	AsOfUpdatedAt = "updatedAt"
)

// pathDate matches a date in a path component: YYYY-MM-DD or YYYYMMDD, not
// inside a longer run of digits.
var pathDate = regexp.MustCompile(`(?:^|[^0-9])((\d{4})-(\d{2})-(\d{2})|(\d{4})(\d{2})(\d{2}))(?:[^0-9]|$)`)

// dateIn returns the last valid date in s.
func dateIn(s string) (time.Time, bool) {
	var found time.Time
	ok := false
	for _, m := range pathDate.FindAllStringSubmatch(s, -1) {
		ymd := m[2] + "-" + m[3] + "-" + m[4]
		if m[2] == "" {
			ymd = m[5] + "-" + m[6] + "-" + m[7]
		}
		if t, err := time.Parse(time.DateOnly, ymd); err == nil {
			found, ok = t, true
		}
	}
	return found, ok
}

// FindExports finds the exports under root and groups and orders them for
// a backfill. Activity exports (IsActivityExport) ride with the person
// exports of the same group. A file belongs to the deepest path component (below
// root) that carries a date: every file under a dated directory is one
// export; dated files in one directory are one export per date (a day's
// leads and contacts); an undated file is an export of its own, dated by
// the newest updatedAt inside it (which reads it once). Exports are ordered
// by AsOf, then by Name. An export whose as-of time cannot be told (no date
// in its path, no readable updatedAt inside) is an error naming it.
func FindExports(root string, mem memory.Allocator) ([]Export, error) {
	sources, err := Discover([]string{root})
	if err != nil {
		return nil, err
	}
	byName := map[string]*Export{}
	var order []string
	for _, src := range sources {
		rel, err := filepath.Rel(root, src.Path)
		if err != nil {
			return nil, err
		}
		parts := strings.Split(filepath.ToSlash(rel), "/")
		name, from := rel, AsOfUpdatedAt
		var asOf time.Time
		for i := len(parts) - 1; i >= 0; i-- {
			d, ok := dateIn(parts[i])
			if !ok {
				continue
			}
			asOf, from = d, AsOfPath
			if i == len(parts)-1 {
				name = filepath.Join(filepath.Dir(rel), d.Format(time.DateOnly))
			} else {
				name = filepath.Join(parts[:i+1]...)
			}
			break
		}
		e := byName[name]
		if e == nil {
			e = &Export{Name: name, AsOf: asOf, AsOfFrom: from}
			byName[name] = e
			order = append(order, name)
		}
		if info, err := os.Stat(src.Path); err == nil {
			e.Bytes += info.Size()
		}
		act, err := IsActivityExport(src)
		if err != nil {
			return nil, err
		}
		if act {
			src.Index = int32(len(e.Activities))
			e.Activities = append(e.Activities, src)
			continue
		}
		src.Index = int32(len(e.Sources))
		e.Sources = append(e.Sources, src)
	}
	out := make([]Export, 0, len(order))
	for _, name := range order {
		e := byName[name]
		if e.AsOfFrom == AsOfUpdatedAt && len(e.Sources) == 0 {
			return nil, &FileError{File: e.Activities[0].Path, Err: errors.New("an activity export without a date in its path: cannot tell where it goes in a backfill (put it under a YYYY-MM-DD directory)")}
		}
		if e.AsOfFrom == AsOfUpdatedAt {
			t, ok, err := NewestUpdatedAt(e.Sources[0], mem)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, &FileError{File: e.Sources[0].Path, Err: errors.New("no date in its path and no readable updatedAt inside: cannot tell where it goes in a backfill (put it under a YYYY-MM-DD directory)")}
			}
			e.AsOf = t
		}
		out = append(out, *e)
	}
	slices.SortStableFunc(out, func(a, b Export) int {
		if c := a.AsOf.Compare(b.AsOf); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

// NewestUpdatedAt reads src and returns the newest updatedAt in it; ok is
// false when no row has a readable one. Malformed rows are skipped here:
// the run that applies the file rejects them.
func NewestUpdatedAt(src Source, mem memory.Allocator) (newest time.Time, ok bool, err error) {
	ledger := pipeline.NewLedger(mem)
	defer ledger.Close()
	r, err := Open(src, mem, ledger, Options{})
	if err != nil {
		return time.Time{}, false, err
	}
	defer r.Release()
	col := pipeline.RawIndex(pipeline.ColUpdatedAt)
	for r.Next() {
		values := r.RecordBatch().Column(col).(*array.String)
		for i := range values.Len() {
			if values.IsNull(i) {
				continue
			}
			if t, good := pipeline.ParseTimestamp(values.Value(i)); good && (!ok || t.After(newest)) {
				newest, ok = t, true
			}
		}
	}
	if err := r.Err(); err != nil {
		return time.Time{}, false, fmt.Errorf("reading updatedAt: %w", err)
	}
	return newest, ok, nil
}

// IsActivityExport reports whether src is a Marketo activity export rather
// than a person export: its CSV/TSV header, or the keys of its first JSON
// line, name activityTypeId (the Bulk Activity Extract and the REST
// activity shape). It reads the start of the file only.
func IsActivityExport(src Source) (bool, error) {
	if src.Format == Parquet {
		return false, nil
	}
	// Gzip or not is told by the content alone here: a file named .gz that
	// is not gzip is the reader's to refuse.
	src.Gzip = false
	t, err := OpenText(src)
	if err != nil {
		return false, err
	}
	defer t.Close()
	if src.Format == JSONL {
		br := bufio.NewReaderSize(t, 64*1024)
		if doc, err := SniffJSON(br); err == nil && doc {
			// The keys of the first element of the array.
			elem, _, err := NewJSONDocument(br).Next()
			return err == nil && hasKey(elem, "activitytypeid"), nil
		}
		// The keys of the first non-empty line.
		lines := bufio.NewScanner(br)
		lines.Buffer(make([]byte, 0, 64*1024), 1<<20)
		for lines.Scan() {
			line := bytes.TrimSpace(lines.Bytes())
			if len(line) == 0 {
				continue
			}
			// A line that is not an object is not ours to judge: the
			// person reader rejects it.
			return hasKey(line, "activitytypeid"), nil
		}
		return false, nil
	}
	r := csv.NewReader(t) // buffered by csv
	r.Comma = ','
	if src.Format == TSV {
		r.Comma = '\t'
	}
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	header, err := r.Read()
	if err != nil {
		return false, nil // empty or unreadable: a person export's problem
	}
	if len(header) == 1 && r.Comma == ',' {
		header = strings.Split(header[0], "\t") // a .csv with a tab header
	}
	for _, h := range header {
		if NormalizeHeader(h) == "activitytypeid" {
			return true, nil
		}
	}
	return false, nil
}

// hasKey reports whether obj is a JSON object with a key that normalises
// (NormalizeHeader) to key.
func hasKey(obj []byte, key string) bool {
	var keys map[string]json.RawMessage
	if json.Unmarshal(obj, &keys) != nil {
		return false
	}
	for k := range keys {
		if NormalizeHeader(k) == key {
			return true
		}
	}
	return false
}
