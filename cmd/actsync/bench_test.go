package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/internal/synth"
	"github.com/actsync/actsync/sync"
)

// BenchmarkRunPeople measures a whole initial sync (extract to commit,
// snapshots included) of a generated 100,000-person export into a fresh
// state, and reports people read per second.
func BenchmarkRunPeople(b *testing.B) {
	const n = 100_000
	dir := b.TempDir()
	path := filepath.Join(dir, "people.csv")
	if err := synth.WriteFile(path, func(w io.Writer) error {
		return synth.WritePeople(w, synth.PeopleOptions{N: n, Seed: 1})
	}); err != nil {
		b.Fatal(err)
	}
	info, _ := os.Stat(path)
	b.SetBytes(info.Size())
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		state := filepath.Join(dir, "state", strconv.Itoa(i))
		rep, err := sync.Run(context.Background(), sync.Config{People: []string{path}, State: state, Mem: memory.DefaultAllocator})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Rows.Read != n {
			b.Fatalf("read %d rows, want %d", rep.Rows.Read, n)
		}
	}
	b.ReportMetric(float64(n*i)/b.Elapsed().Seconds(), "people/s")
}
