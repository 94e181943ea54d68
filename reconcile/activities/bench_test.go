package activities

import (
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/internal/synth"
	"github.com/actsync/actsync/stages/extract"
)

// benchExport writes a generated Bulk Activity Extract of n activities
// against 100,000 people and returns its path and size.
func benchExport(b *testing.B, n int, legacy bool) (string, int64) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "activities.csv")
	if err := synth.WriteFile(path, func(w io.Writer) error {
		return synth.WriteActivities(w, synth.ActivityOptions{N: n, People: 100_000, Seed: 7, LegacyAttributes: legacy})
	}); err != nil {
		b.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return path, info.Size()
}

var benchRows = flag.Int("benchrows", 200_000, "activities in BenchmarkReadActivities' export (fewer for callgrind)")

// BenchmarkReadActivities reads a generated 200,000-activity export (JSON
// object attributes, and the legacy name/value array) to the end, the
// Go half of the activities extract without the Parquet staging.
func BenchmarkReadActivities(b *testing.B) {
	n := *benchRows
	for _, bc := range []struct {
		name   string
		legacy bool
	}{{"object", false}, {"legacy", true}} {
		b.Run(bc.name, func(b *testing.B) {
			path, size := benchExport(b, n, bc.legacy)
			types := BuiltinTypes()
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				r, err := Open(extract.Source{Path: path, Format: extract.CSV}, types, memory.NewGoAllocator())
				if err != nil {
					b.Fatal(err)
				}
				rows := int64(0)
				for r.Next() {
					rows += r.RecordBatch().NumRows()
				}
				if err := r.Err(); err != nil {
					b.Fatal(err)
				}
				if rows+int64(len(r.Rejects())) != int64(n) {
					b.Fatalf("read %d rows and %d rejects, want %d", rows, len(r.Rejects()), n)
				}
				r.Release()
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "activities/s")
		})
	}
}

// BenchmarkExtract is BenchmarkReadActivities plus the Parquet staging:
// the whole activities/extract stage of a run for one file.
func BenchmarkExtract(b *testing.B) {
	n := *benchRows
	path, size := benchExport(b, n, false)
	types := BuiltinTypes()
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		b.StartTimer()
		st, err := Extract(context.Background(), []extract.Source{{Path: path, Format: extract.CSV}}, types, memory.NewGoAllocator(), dir, 2)
		if err != nil {
			b.Fatal(err)
		}
		if st.Rows != int64(n) {
			b.Fatalf("staged %d rows, want %d", st.Rows, n)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "activities/s")
}
