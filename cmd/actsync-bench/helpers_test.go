package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		in   []float64
		want float64
	}{
		{"none", nil, 0},
		{"one", []float64{3}, 3},
		{"odd unsorted", []float64{5, 1, 3}, 3},
		{"even", []float64{4, 1, 3, 2}, 2.5},
		{"outlier", []float64{1, 1, 100}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]float64(nil), tt.in...)
			if got := median(tt.in); got != tt.want {
				t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
			}
			for i := range in {
				if in[i] != tt.in[i] {
					t.Fatalf("median modified its input: %v", tt.in)
				}
			}
		})
	}
}

func TestReusable(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, initialName), []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	good := &manifest{People: 100, Seed: 7, Files: map[string]fileEntry{initialName: {Bytes: 10, Rows: 100}}}
	tests := []struct {
		name   string
		m      *manifest
		people int
		seed   int64
		file   string
		want   bool
	}{
		{"match", good, 100, 7, initialName, true},
		{"no manifest", nil, 100, 7, initialName, false},
		{"other size", good, 200, 7, initialName, false},
		{"other seed", good, 100, 8, initialName, false},
		{"file not in manifest", good, 100, 7, deltaName, false},
		{"file size differs", &manifest{People: 100, Seed: 7, Files: map[string]fileEntry{initialName: {Bytes: 11}}}, 100, 7, initialName, false},
		{"file missing", &manifest{People: 100, Seed: 7, Files: map[string]fileEntry{deltaName: {Bytes: 10}}}, 100, 7, deltaName, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := reusable(tt.m, dir, tt.people, tt.seed, tt.file); got != tt.want {
				t.Errorf("reusable = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestPrepareWorkload checks reuse across calls: the same size and seed
// reuse the files; a damaged file, another seed or a new delta regenerate.
func TestPrepareWorkload(t *testing.T) {
	dir := t.TempDir()
	prep := func(people int, seed int64, delta bool) *workload {
		t.Helper()
		w, err := prepareWorkload(dir, people, seed, delta, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	w := prep(300, 1, false)
	if w.Reused || w.Rows != 300 || w.Delta != "" {
		t.Fatalf("first call: %+v", w)
	}
	if w = prep(300, 1, false); !w.Reused {
		t.Errorf("same size and seed: not reused")
	}
	if w = prep(300, 1, true); w.Reused || w.DeltaRows == 0 {
		t.Errorf("delta added: %+v", w)
	}
	if w = prep(300, 1, true); !w.Reused {
		t.Errorf("same size, seed and delta: not reused")
	}

	// Same size, other bytes: the prefix check catches it.
	b, err := os.ReadFile(w.Initial)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile(w.Initial, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if w = prep(300, 1, false); w.Reused {
		t.Errorf("damaged file reused")
	}
	if w = prep(300, 2, false); w.Reused {
		t.Errorf("other seed reused")
	}
	if w = prep(301, 2, false); w.Reused || w.Rows != 301 {
		t.Errorf("other size: %+v", w)
	}
}

func TestCountRecords(t *testing.T) {
	tests := []struct {
		name, data string
		want       int64
	}{
		{"header only", "a,b\n", 0},
		{"empty", "", 0},
		{"quoted newline", "a,b\n1,\"x\ny\"\n2,z\n", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f.csv")
			if err := os.WriteFile(path, []byte(tt.data), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := countRecords(path)
			if err != nil || got != tt.want {
				t.Errorf("countRecords = %d, %v; want %d", got, err, tt.want)
			}
		})
	}
}

func TestParseVmHWM(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status string
		want   int64
		ok     bool
	}{
		{"linux", "Name:\tsleep\nVmPeak:\t    8192 kB\nVmHWM:\t    1024 kB\nVmRSS:\t     900 kB\n", 1024, true},
		{"missing", "Name:\tsleep\nVmRSS:\t     900 kB\n", 0, false},
		{"no unit", "VmHWM:\t1024\n", 0, false},
		{"not a number", "VmHWM:\tlots kB\n", 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseVmHWM([]byte(tc.status))
			if got != tc.want || ok != tc.ok {
				t.Errorf("parseVmHWM = %d, %v; want %d, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

// TestRunChildPeakIsTheChilds checks that a small child is not reported
// with the peak of a large parent: with vfork the rusage of the child
// carries the parent's high-water mark.
func TestRunChildPeakIsTheChilds(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep binary")
	}
	// Raise this process's high-water mark well above a sleep's.
	ballast := make([]byte, 256<<20)
	for i := range ballast {
		if i%4096 == 0 {
			ballast[i] = 1
		}
	}
	m, err := runChild(context.Background(), t.TempDir(), nil, sleep, "0.2")
	runtime.KeepAlive(ballast)
	if err != nil {
		t.Fatal(err)
	}
	if m.MaxRSSKiB <= 0 || m.MaxRSSKiB > 64<<10 {
		t.Errorf("child peak = %d KiB, want a sleep's few MiB (the parent holds 256 MiB)", m.MaxRSSKiB)
	}
}
