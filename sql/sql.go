// Package sql holds actsync's SQL, one statement per .sql file, embedded in
// the binary. Import it as sqlfiles beside database/sql. Statements take
// their values as bound parameters ($1, $2, …); the only text ever spliced
// into SQL is a path, through QuoteString.
package sql

import (
	"embed"
	"strings"
)

//go:embed *.sql
var files embed.FS

// Text returns the statement in name (without .sql). It panics when the
// file does not exist: the set of files is fixed at build time.
func Text(name string) string {
	b, err := files.ReadFile(name + ".sql")
	if err != nil {
		panic("sql: no statement " + name)
	}
	return string(b)
}

// QuoteString quotes s as a SQL string literal.
func QuoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
