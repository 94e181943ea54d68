// Package sql holds actsync's SQL, one statement per .sql file, embedded in
// the binary. Import it as sqlfiles beside database/sql. Statements take
// their values as bound parameters ($1, $2, …); the only text ever spliced
// into SQL is a path, through QuoteString: DuckDB binds no parameter in a
// COPY target, so a statement that writes a file is a query file that the
// Runner wraps in COPY (…) TO 'path' (Runner.CopyTo).
//
// Files sit in folders by concern (schema/, people/, activities/, …) and
// are named "folder/file" without .sql. A statement that runs as part of a
// fixed sequence has a numbered name, 010_<label>.sql, so that the folder
// listing is the order of execution (Sequence); the others keep plain
// names and are looked up one at a time (Text).
package sql

import (
	"context"
	dbsql "database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

//go:embed */*.sql
var files embed.FS

// Text returns the statement in name ("folder/file", without .sql). It
// panics when the file does not exist: the set of files is fixed at build
// time.
func Text(name string) string {
	b, err := files.ReadFile(name + ".sql")
	if err != nil {
		panic("sql: no statement " + name)
	}
	return string(b)
}

// Sequence returns the numbered statements of folder ("folder/010_x", …),
// in the order they run.
func Sequence(folder string) []string {
	entries, err := fs.ReadDir(files, folder)
	if err != nil {
		panic("sql: no folder " + folder)
	}
	var names []string
	for _, e := range entries {
		base := strings.TrimSuffix(e.Name(), ".sql")
		if numbered(base) {
			names = append(names, folder+"/"+base)
		}
	}
	sort.Strings(names)
	return names
}

// Label is a statement's name in the run report's timings: its file name
// without the folder and the sequence number ("people/060_changes" is
// "changes").
func Label(name string) string {
	base := path.Base(name)
	if numbered(base) {
		base = base[strings.IndexByte(base, '_')+1:]
	}
	return base
}

// numbered reports whether a file name starts with digits and an
// underscore.
func numbered(base string) bool {
	i := strings.IndexByte(base, '_')
	if i <= 0 {
		return false
	}
	for _, c := range base[:i] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// CheckArgs reports an error unless args has exactly one entry per
// statement of Sequence(folder), keyed by Label.
func CheckArgs(folder string, args map[string][]any) error {
	seen := map[string]bool{}
	for _, name := range Sequence(folder) {
		l := Label(name)
		if _, ok := args[l]; !ok {
			return fmt.Errorf("%s.sql: no arguments for %s", name, l)
		}
		seen[l] = true
	}
	var extra []string
	for l := range args {
		if !seen[l] {
			extra = append(extra, l)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return fmt.Errorf("sql: arguments for statements not in %s/: %s", folder, strings.Join(extra, ", "))
	}
	return nil
}

// Execer is what a Runner runs statements on: a *database/sql.Tx or a
// *database/sql.Conn.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (dbsql.Result, error)
}

// Runner runs statement files on one transaction and times each one.
type Runner struct {
	Tx Execer
	// Stage prefixes each Label in Report ("load" gives "load/changes").
	Stage string
	// Report, when set, receives each statement's stage name and how long
	// it ran.
	Report func(stage string, d time.Duration)
	// Before and After, when set, are called with the statement's Label
	// just before it runs and just after it ran (Before inside the timing,
	// After outside it); their errors stop the run and are returned as
	// they are.
	Before func(label string) error
	After  func(label string) error
	// CopyTo maps the Label of a query file to the Parquet file its result
	// is written to: the runner runs COPY (query) TO 'path' (FORMAT
	// parquet), with the statement's arguments bound inside the query.
	CopyTo map[string]string
}

// Exec runs the statement in name with args. Its errors name the file.
func (r *Runner) Exec(ctx context.Context, name string, args ...any) error {
	label := Label(name)
	t := time.Now()
	if r.Before != nil {
		if err := r.Before(label); err != nil {
			return err
		}
	}
	text := Text(name)
	if path, ok := r.CopyTo[label]; ok {
		text = CopyStatement(text, path)
	}
	if _, err := r.Tx.ExecContext(ctx, text, args...); err != nil {
		return fmt.Errorf("%s.sql: %w", name, err)
	}
	if r.Report != nil {
		r.Report(r.Stage+"/"+label, time.Since(t))
	}
	if r.After != nil {
		if err := r.After(label); err != nil {
			return err
		}
	}
	return nil
}

// Run runs Sequence(folder) in order, each statement with args[Label]. It
// runs nothing when args does not match the folder's files (CheckArgs).
func (r *Runner) Run(ctx context.Context, folder string, args map[string][]any) error {
	if err := CheckArgs(folder, args); err != nil {
		return err
	}
	for _, name := range Sequence(folder) {
		if err := r.Exec(ctx, name, args[Label(name)]...); err != nil {
			return err
		}
	}
	return nil
}

// CopyStatement is COPY (query) TO path (FORMAT parquet). query may end
// with a semicolon and a comment line: the closing parenthesis goes on a
// line of its own.
func CopyStatement(query, path string) string {
	query = strings.TrimRight(strings.TrimSpace(query), ";")
	return "COPY (\n" + query + "\n) TO " + QuoteString(path) + " (FORMAT parquet)"
}

// QuoteString quotes s as a SQL string literal.
func QuoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
