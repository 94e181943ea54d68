// Package golden is test support: it compares what a test got with a
// golden file, rewrites golden files under the -update flag, and renders
// query results as the CSV-like text the SQL golden files hold.
//
// It registers one flag, -update, in the test binary of every package
// whose tests import it:
//
//	go test ./reconcile/salesforce -update
//
// rewrites that package's golden files with what its tests got; review the
// change with git diff before committing it.
package golden

import (
	"context"
	dbsql "database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files with what the tests got")

// Compare compares got with the golden file at path (relative to the
// package's directory, as tests run there). On a difference it reports the
// changed lines and the command that regenerates the file; with -update it
// writes got to path instead, creating its directory.
func Compare(t testing.TB, path, got string) {
	t.Helper()
	if *update {
		if old, err := os.ReadFile(path); err == nil && string(old) == got {
			return
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("updated %s", path)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (create it with: %s)", err, regenerate(t))
	}
	if got != string(want) {
		t.Errorf("%s differs from what the test got:\n%s(if the change is intended, regenerate with: %s)",
			path, Diff(string(want), got), regenerate(t))
	}
}

// maxDiffLines caps the - and + lines Diff shows on each side.
const maxDiffLines = 40

// Diff describes how got differs from want, line by line: the lines from
// the first to the last that differ, as "-" (want) and "+" (got) lines
// with their line numbers, and a line of context on each side. It is ""
// when they are equal.
func Diff(want, got string) string {
	if want == got {
		return ""
	}
	w, g := strings.SplitAfter(want, "\n"), strings.SplitAfter(got, "\n")
	p := 0
	for p < len(w) && p < len(g) && w[p] == g[p] {
		p++
	}
	s := 0
	for s < len(w)-p && s < len(g)-p && w[len(w)-1-s] == g[len(g)-1-s] {
		s++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "first difference at line %d (want %d lines, got %d):\n", p+1, lines(want), lines(got))
	line := func(mark string, n int, text string) {
		if text == "" {
			return // the empty piece after a final newline
		}
		if !strings.HasSuffix(text, "\n") {
			text += "\n\\ no newline at end\n"
		}
		fmt.Fprintf(&b, "%s%5d  %s", mark, n, text)
	}
	hunk := func(mark string, ls []string) {
		for i, l := range ls[p : len(ls)-s] {
			if i == maxDiffLines {
				fmt.Fprintf(&b, "%s       … %d more lines\n", mark, len(ls)-s-p-i)
				return
			}
			line(mark, p+1+i, l)
		}
	}
	if p > 0 {
		line(" ", p, w[p-1])
	}
	hunk("-", w)
	hunk("+", g)
	if s > 0 {
		line(" ", len(g)-s+1, g[len(g)-s])
	}
	return b.String()
}

// lines counts text's lines, the last one with or without its newline.
func lines(text string) int {
	n := strings.Count(text, "\n")
	if text != "" && !strings.HasSuffix(text, "\n") {
		n++
	}
	return n
}

// regenerate is the command that rewrites the golden files of the running
// test: go test ./<package> -run '^<Test>$' -update, from the module root.
func regenerate(t testing.TB) string {
	top, _, _ := strings.Cut(t.Name(), "/")
	return fmt.Sprintf("go test %s -run '^%s$' -update", pkgDir, top)
}

// pkgDir is the test's package, found when the test binary starts in the
// package's directory (before any test's t.Chdir).
var pkgDir = packageDir()

// packageDir is the working directory relative to the module root, as go
// test names a package ("./reconcile/salesforce"); "." when it cannot tell.
func packageDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			rel, err := filepath.Rel(dir, wd)
			if err != nil || rel == "." {
				return "."
			}
			return "./" + filepath.ToSlash(rel)
		}
		if filepath.Dir(dir) == dir {
			return "."
		}
	}
}

// Querier is what Query reads from: a *sql.DB, *sql.Conn or *sql.Tx.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*dbsql.Rows, error)
}

// Query runs sql on q and renders the result as CSV-like text: a header
// line of the column names, then one line per row; NULL is empty, a time is
// RFC 3339 in UTC, anything else is fmt.Sprint of the value, quoted as in
// CSV when it holds a comma, a double quote or a newline.
func Query(t testing.TB, q Querier, sql string, args ...any) string {
	t.Helper()
	rows, err := q.QueryContext(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(strings.Join(cols, ",") + "\n")
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if i > 0 {
				b.WriteByte(',')
			}
			var s string
			switch v := v.(type) {
			case nil:
			case time.Time:
				s = v.UTC().Format(time.RFC3339)
			default:
				s = fmt.Sprint(v)
			}
			if strings.ContainsAny(s, ",\"\n") {
				s = `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
			}
			b.WriteString(s)
		}
		b.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
