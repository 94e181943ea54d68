package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/actsync/actsync/internal/synth"
)

// The workload is a directory of synthetic exports, described by a
// manifest so that a later bench run with the same --people and --seed
// reuses the files instead of generating them again.
const (
	manifestName = "manifest.json"
	initialName  = "people.csv"
	deltaName    = "people-day1.csv" // synth's Day 1 delta of the initial export
	// prefixRows is how many leading rows of people.csv are regenerated to
	// check that a reused file still matches the generator: synth derives
	// row i from (Seed, i) alone, so the first rows of an export of any
	// size are the export of that many rows.
	prefixRows = 1000
)

// manifest records what the work directory's exports were generated from.
type manifest struct {
	People int                  `json:"people"`
	Seed   int64                `json:"seed"`
	Files  map[string]fileEntry `json:"files"`
}

// fileEntry is one generated export: its size (a truncated or foreign file
// is not reused) and its number of data rows.
type fileEntry struct {
	Bytes int64 `json:"bytes"`
	Rows  int64 `json:"rows"`
}

// workload is the set of exports a bench run uses.
type workload struct {
	Initial   string // path of the initial export
	Rows      int64  // data rows of Initial
	Bytes     int64
	Delta     string // path of the Day 1 delta, "" without --delta
	DeltaRows int64
	Reused    bool // every file came from an earlier run
}

// reusable reports whether the manifest m in dir describes an export of
// people and seed whose file name is still on disk with its recorded size.
func reusable(m *manifest, dir string, people int, seed int64, name string) bool {
	if m == nil || m.People != people || m.Seed != seed {
		return false
	}
	e, ok := m.Files[name]
	if !ok {
		return false
	}
	info, err := os.Stat(filepath.Join(dir, name))
	return err == nil && info.Mode().IsRegular() && info.Size() == e.Bytes
}

// readManifest reads dir's manifest; a missing or unreadable one is nil.
func readManifest(dir string) *manifest {
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return nil
	}
	var m manifest
	if json.Unmarshal(b, &m) != nil {
		return nil
	}
	return &m
}

func writeManifest(dir string, m *manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, manifestName+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, manifestName))
}

// prepareWorkload generates into dir, or reuses from it, the initial export
// of people rows and, with delta, synth's Day 1 delta of it. log receives
// one line per file.
func prepareWorkload(dir string, people int, seed int64, delta bool, log io.Writer) (*workload, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	m := readManifest(dir)
	if m != nil && (m.People != people || m.Seed != seed) {
		m = nil // another size or seed: everything is regenerated
	}
	if m == nil {
		m = &manifest{People: people, Seed: seed, Files: map[string]fileEntry{}}
	}
	w := &workload{Reused: true}
	type export struct {
		name string
		day  int
	}
	need := []export{{initialName, 0}}
	if delta {
		need = append(need, export{deltaName, 1})
	}
	for _, f := range need {
		path := filepath.Join(dir, f.name)
		ok := reusable(m, dir, people, seed, f.name)
		if ok && f.day == 0 {
			var err error
			if ok, err = prefixMatches(path, seed, min(people, prefixRows)); err != nil {
				return nil, err
			}
		}
		if ok {
			fmt.Fprintf(log, "reusing %s (%d rows)\n", path, m.Files[f.name].Rows)
		} else {
			w.Reused = false
			delete(m.Files, f.name)
			// The manifest must not describe a file that is being replaced.
			if err := writeManifest(dir, m); err != nil {
				return nil, err
			}
			fmt.Fprintf(log, "generating %s (synth, %d people, seed %d, day %d)\n", path, people, seed, f.day)
			e, err := generate(path, synth.PeopleOptions{N: people, Seed: seed, Day: f.day})
			if err != nil {
				return nil, err
			}
			m.Files[f.name] = e
			if err := writeManifest(dir, m); err != nil {
				return nil, err
			}
		}
		e := m.Files[f.name]
		if f.day == 0 {
			w.Initial, w.Rows, w.Bytes = path, e.Rows, e.Bytes
		} else {
			w.Delta, w.DeltaRows = path, e.Rows
		}
	}
	return w, nil
}

// generate writes one synth export to path and returns its entry.
func generate(path string, o synth.PeopleOptions) (fileEntry, error) {
	size, err := writeGenerated(path, func(w io.Writer) error { return synth.WritePeople(w, o) })
	if err != nil {
		return fileEntry{}, err
	}
	rows := int64(o.N)
	if o.Day > 0 {
		if rows, err = countRecords(path); err != nil {
			os.Remove(path)
			return fileEntry{}, err
		}
	}
	return fileEntry{Bytes: size, Rows: rows}, nil
}

// countRecords counts the data rows of a CSV file (records may hold quoted
// newlines, so lines are not rows).
func countRecords(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
	r.ReuseRecord = true
	r.FieldsPerRecord = -1
	var n int64 = -1 // the header
	for {
		_, err := r.Read()
		if errors.Is(err, io.EOF) {
			return max(n, 0), nil
		}
		if err != nil {
			return 0, fmt.Errorf("%s: %w", path, err)
		}
		n++
	}
}

// prefixMatches reports whether path starts with the bytes synth writes for
// an initial export of rows people with seed: a file written by another
// version of the generator is not reused.
func prefixMatches(path string, seed int64, rows int) (bool, error) {
	var want bytes.Buffer
	if err := synth.WritePeople(&want, synth.PeopleOptions{N: rows, Seed: seed}); err != nil {
		return false, err
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	got := make([]byte, want.Len())
	if _, err := io.ReadFull(f, got); err != nil {
		return false, nil // shorter than the prefix: not this export
	}
	return bytes.Equal(got, want.Bytes()), nil
}
