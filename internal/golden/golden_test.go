package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	for _, tt := range []struct {
		name, want, got, diff string
	}{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"changed line", "a\nb\nc\n", "a\nB\nc\n",
			"first difference at line 2 (want 3 lines, got 3):\n     1  a\n-    2  b\n+    2  B\n     3  c\n"},
		{"added lines", "h\n", "h\nx\ny\n",
			"first difference at line 2 (want 1 lines, got 3):\n     1  h\n+    2  x\n+    3  y\n"},
		{"removed first line", "h\nx\n", "x\n",
			"first difference at line 1 (want 2 lines, got 1):\n-    1  h\n     1  x\n"},
		{"newline at end", "a\n", "a",
			"first difference at line 1 (want 1 lines, got 1):\n-    1  a\n+    1  a\n\\ no newline at end\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if d := Diff(tt.want, tt.got); d != tt.diff {
				t.Errorf("Diff:\n%s\nwant:\n%s", d, tt.diff)
			}
		})
	}
	var long strings.Builder
	for i := range 100 {
		fmt.Fprintf(&long, "%d\n", i)
	}
	if d := Diff("", long.String()); !strings.Contains(d, "… 60 more lines") || strings.Count(d, "\n") != maxDiffLines+2 {
		t.Errorf("long diff not cut after %d lines:\n%s", maxDiffLines, d)
	}
}

// recorder is a testing.TB that keeps what Compare reports.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestCompareReportsDiffAndCommand(t *testing.T) {
	if *update {
		t.Skip("compares on purpose; -update would write instead")
	}
	path := filepath.Join(t.TempDir(), "x.csv")
	if err := os.WriteFile(path, []byte("id\n1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &recorder{TB: t}
	Compare(r, path, "id\n1\n")
	if len(r.errors) != 0 {
		t.Fatalf("equal content reported: %q", r.errors)
	}
	Compare(r, path, "id\n2\n")
	if len(r.errors) != 1 {
		t.Fatalf("got %d errors, want 1", len(r.errors))
	}
	for _, want := range []string{path, "-    2  1\n+    2  2\n", "go test ./internal/golden -run '^TestCompareReportsDiffAndCommand$' -update"} {
		if !strings.Contains(r.errors[0], want) {
			t.Errorf("message lacks %q:\n%s", want, r.errors[0])
		}
	}
}
