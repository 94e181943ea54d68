package extract

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/actsync/actsync/pipeline"
)

// Format is the layout of an input file.
type Format string

const (
	CSV     Format = "csv"
	TSV     Format = "tsv"
	JSONL   Format = "jsonl"
	Parquet Format = "parquet"
)

// Source is one input file of a run. Index is its position among the run's
// inputs: rows are ordered by (Index, line), which is how ties between two
// rows of one person are broken.
type Source struct {
	Path   string
	Format Format
	Gzip   bool
	Index  int32
}

// FileError is a problem with a whole file: it fails the run before
// anything is written. Line is 0 when the problem is not tied to a line.
type FileError struct {
	File string
	Line int64
	Err  error
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *FileError) Unwrap() error { return e.Err }

// ErrNoInput is returned when a path, directory or glob matches no file.
var ErrNoInput = errors.New("matches no input file")

// Discover expands the given paths into the run's inputs, in order: a file
// is taken as is; a directory contributes the files under it with a known
// extension (DirExtensions), in lexical order, skipping hidden ones;
// anything else is a glob, which matches a hidden name only where the
// pattern starts that name with a dot, as in a shell. A pattern that
// matches nothing is an error, and so is a file given twice.
func Discover(patterns []string) ([]Source, error) {
	out, _, err := DiscoverAll(patterns)
	return out, err
}

// DirExtensions are the extensions a directory walk takes (detect), for
// help texts and the tests that keep them agreeing: each optionally under
// .gz except Parquet's, and .txt only with a known header (knownHeader).
var DirExtensions = []string{".csv", ".tsv", ".tab", ".txt", ".jsonl", ".ndjson", ".json", ".parquet", ".pq"}

// DiscoverAll is Discover that also returns the files a directory walk
// left out, with the reason, for the run report: a LICENSE.txt or a
// README.md next to the exports is skipped, and said so.
func DiscoverAll(patterns []string) ([]Source, []pipeline.SkippedFile, error) {
	var out []Source
	var skipped []pipeline.SkippedFile
	seen := map[string]bool{}
	add := func(path string, explicit bool) error {
		abs, err := filepath.Abs(path)
		if err != nil {
			return err
		}
		if seen[abs] {
			return &FileError{File: path, Err: errors.New("given more than once")}
		}
		f, gz, why, err := detect(path, explicit)
		if err != nil {
			return err
		}
		if f == "" {
			skipped = append(skipped, pipeline.SkippedFile{Path: path, Reason: why})
			return nil
		}
		seen[abs] = true
		out = append(out, Source{Path: path, Format: f, Gzip: gz, Index: int32(len(out))})
		return nil
	}
	for _, p := range patterns {
		var matches []string
		if _, err := os.Stat(p); err == nil {
			matches = []string{p}
		} else if m, gerr := filepath.Glob(p); gerr == nil {
			matches = slices.DeleteFunc(m, func(m string) bool { return hiddenMatch(p, m) })
		} else {
			return nil, nil, &FileError{File: p, Err: gerr}
		}
		n := len(out)
		for _, m := range matches {
			info, err := os.Stat(m)
			if err != nil {
				return nil, nil, &FileError{File: m, Err: err}
			}
			if !info.IsDir() {
				if err := add(m, true); err != nil {
					return nil, nil, err
				}
				continue
			}
			var files []string
			err = filepath.WalkDir(m, func(path string, d fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				if path != m && strings.HasPrefix(d.Name(), ".") {
					if d.IsDir() {
						return filepath.SkipDir
					}
					return nil
				}
				if !d.IsDir() {
					files = append(files, path)
				}
				return nil
			})
			if err != nil {
				return nil, nil, &FileError{File: m, Err: err}
			}
			slices.Sort(files)
			for _, f := range files {
				if err := add(f, false); err != nil {
					return nil, nil, err
				}
			}
		}
		if len(out) == n {
			return nil, nil, &FileError{File: p, Err: ErrNoInput}
		}
	}
	return out, skipped, nil
}

// hiddenMatch reports whether a glob match has a hidden file or directory
// where the pattern has no leading dot. filepath.Glob lets '*' match one; a
// shell, and Discover's directory walk, skip them (e.g. macOS "._x.csv").
func hiddenMatch(pattern, match string) bool {
	// Glob's matches are clean paths: compare them with the clean pattern,
	// component by component.
	pp := strings.Split(filepath.ToSlash(filepath.Clean(pattern)), "/")
	mp := strings.Split(filepath.ToSlash(match), "/")
	for i, j := len(pp)-1, len(mp)-1; i >= 0 && j >= 0; i, j = i-1, j-1 {
		if strings.HasPrefix(mp[j], ".") && !strings.HasPrefix(pp[i], ".") {
			return true
		}
	}
	return false
}

// detect tells a file's format from its extension (under an optional .gz),
// or, for a file named explicitly with no known extension, from its first
// bytes. A file found in a directory walk with no known extension is
// skipped (format "", with the reason why), so a README next to the
// exports does no harm; so is a .txt whose first line is not a header
// actsync knows (a LICENSE.txt), and a gzip Parquet file, which no reader
// takes. A .txt named explicitly is read as CSV: the header check then
// says what is wrong with it.
func detect(path string, explicit bool) (f Format, gz bool, why string, err error) {
	name := strings.ToLower(filepath.Base(path))
	gz = strings.HasSuffix(name, ".gz")
	name = strings.TrimSuffix(name, ".gz")
	switch filepath.Ext(name) {
	case ".csv":
		return CSV, gz, "", nil
	case ".txt":
		if explicit {
			return CSV, gz, "", nil
		}
		ok, err := knownHeader(path)
		if err != nil || !ok {
			return "", false, "a .txt file whose first line is not a known header", err
		}
		return CSV, gz, "", nil
	case ".tsv", ".tab":
		return TSV, gz, "", nil
	case ".jsonl", ".ndjson", ".json":
		return JSONL, gz, "", nil
	case ".parquet", ".pq":
		if gz && !explicit {
			return "", false, "gzip Parquet is not read: Parquet compresses inside the file", nil
		}
		return Parquet, false, "", nil
	}
	if !explicit {
		return "", false, "not an export extension", nil
	}
	fh, err := os.Open(path)
	if err != nil {
		return "", false, "", &FileError{File: path, Err: err}
	}
	defer fh.Close()
	head := make([]byte, 4096)
	n, err := io.ReadFull(fh, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", false, "", &FileError{File: path, Err: err}
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("PAR1")):
		return Parquet, false, "", nil
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return CSV, true, "", nil
	case bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n\ufeff"), []byte("{")),
		bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n\ufeff"), []byte("[")):
		return JSONL, false, "", nil
	}
	return CSV, false, "", nil
}

// knownHeader reports whether the first line of the file at path (gzip
// data when its magic says so) is a delimited header with a column actsync
// knows: a person field (any spelling in docs/design.md "Inputs") or an activity column
// (activityTypeId, marketoGUID). That tells a Bulk Extract saved as .txt
// from the licence or notes beside it.
func knownHeader(path string) (bool, error) {
	t, err := OpenText(Source{Path: path})
	if err != nil {
		return false, err
	}
	defer t.Close()
	br := bufio.NewReaderSize(t, 64*1024)
	line, err := br.ReadSlice('\n')
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		// A truncated gzip stream or an unreadable file is the reader's
		// to report, with the file taken.
		return true, nil
	}
	line = bytes.TrimPrefix(line, []byte("\ufeff"))
	comma := ","
	if bytes.IndexByte(line, '\t') >= 0 && bytes.IndexByte(line, ',') < 0 {
		comma = "\t"
	}
	for _, h := range strings.Split(string(line), comma) {
		h = NormalizeHeader(strings.Trim(strings.TrimSpace(h), `"`))
		if _, ok := spellings[h]; ok || h == "activitytypeid" || h == "marketoguid" {
			return true, nil
		}
	}
	return false, nil
}
