package state

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	dbsql "database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	sqlfiles "github.com/actsync/actsync/sql"
)

// Erasure is what State.Erase removed.
type Erasure struct {
	People        int   // requested ids that were found anywhere in the state
	Rows          int64 // table rows deleted or rewritten
	SnapshotFiles int   // Parquet snapshot files rewritten
}

// Erase removes every trace of the people with the given Marketo ids from
// the state (a right-to-erasure request), then records that an erasure
// happened in the erasures table without the data: the time, the counts
// and, per id, sha256(salt ":" id) with a random salt kept in the state, so
// that an auditor holding an id can confirm its erasure. Marketo ids are
// small integers: the hash keeps them out of plain view, it does not make
// them secret from someone holding the whole state.
//
// A row is the person's when
//   - a marketo_id or lead_id column holds one of the ids (every table and
//     snapshot: people, changes, exclusions, activities, …);
//   - its email column is one of the person's emails (now or in any people
//     snapshot) and its id columns are NULL (an activity matched by email);
//   - it is a reject (a raw input row) that comes from a file and line the
//     person was read from (people, people snapshots, exclusions, stale
//     rows), or whose raw text holds one of the ids as a whole number or one
//     of the emails.
//     A reject shares no key with a person, so this errs on the side of
//     erasing: a reject of another person with the same email goes too.
//
// duplicate_emails lists lose the ids; a group left with fewer than two
// people is deleted. Every Parquet snapshot holding such a row is rewritten
// (COPY to a temporary file, then rename) before the tables change, and the
// database is checkpointed after: rerunning Erase after a crash finishes
// the job. The caller holds the writer lock (Open).
func (s *State) Erase(ctx context.Context, ids []int64) (Erasure, error) {
	var res Erasure
	if len(ids) == 0 {
		return res, errors.New("no marketo id to erase")
	}
	conn := s.conn
	snapshots, err := snapshotFiles(s.Dir)
	if err != nil {
		return res, err
	}
	var peopleFiles []string
	for _, f := range snapshots {
		if strings.HasPrefix(f, filepath.Join(s.Dir, SnapshotDir, "people")+string(filepath.Separator)) {
			peopleFiles = append(peopleFiles, f)
		}
	}
	dropTemp := func() {
		conn.ExecContext(context.Background(), sqlfiles.Text("erase/drop_temp"))
	}
	defer dropTemp()
	// The keys of the people to erase, in temp tables and variables that
	// the statements below read (sql/erase/): their ids, and the emails,
	// input lines and ids the people table and snapshots hold.
	run := &sqlfiles.Runner{Tx: conn, Stage: "erase"}
	if err := run.Run(ctx, "erase", map[string][]any{
		"erase_ids": {ids}, "erase_emails": nil, "erase_lines": nil, "erase_found": nil,
		"erase_id_list": nil, "erase_id_regex": nil,
	}); err != nil {
		return res, fmt.Errorf("erase: %w", err)
	}
	if len(peopleFiles) > 0 { // read_parquet needs at least one file
		for _, name := range []string{"erase/snapshot_emails", "erase/snapshot_lines", "erase/snapshot_found"} {
			if err := run.Exec(ctx, name, peopleFiles); err != nil {
				return res, fmt.Errorf("erase: %w", err)
			}
		}
	}
	if err := conn.QueryRowContext(ctx, sqlfiles.Text("erase/found_count")).Scan(&res.People); err != nil {
		return res, err
	}

	// Snapshots first: if the process dies here, the tables still hold
	// the person and no erasure is recorded; rerunning finishes.
	for _, f := range snapshots {
		cols, err := columns(ctx, conn, sqlfiles.Text("erase/snapshot_columns"), f)
		if err != nil {
			return res, fmt.Errorf("erase: %s: %w", f, err)
		}
		match, keep, project := erasePredicate(cols)
		if match == "" {
			continue
		}
		var n int64
		q := "SELECT count(*) FROM read_parquet($1, hive_partitioning = false) WHERE " + match
		if err := conn.QueryRowContext(ctx, q, f).Scan(&n); err != nil {
			return res, fmt.Errorf("erase: %s: %w", f, err)
		}
		if n == 0 {
			continue
		}
		tmp := f + ".erase.tmp"
		copySQL := "COPY (SELECT " + project + " FROM read_parquet($1, hive_partitioning = false) WHERE " + keep + ") TO $2 (FORMAT parquet)"
		if _, err := conn.ExecContext(ctx, copySQL, f, tmp); err != nil {
			os.Remove(tmp)
			return res, fmt.Errorf("erase: rewriting %s: %w", f, err)
		}
		if err := os.Chmod(tmp, 0o600); err != nil {
			return res, err
		}
		if err := os.Rename(tmp, f); err != nil {
			return res, err
		}
		res.SnapshotFiles++
	}

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	tables, err := tx.QueryContext(ctx, sqlfiles.Text("erase/tables"))
	if err != nil {
		return res, err
	}
	var names []string
	for tables.Next() {
		var n string
		if err := tables.Scan(&n); err != nil {
			tables.Close()
			return res, err
		}
		names = append(names, n)
	}
	tables.Close()
	for _, table := range names {
		cols, err := columns(ctx, tx, "SELECT * FROM "+quoteIdent(table)+" LIMIT 0")
		if err != nil {
			return res, err
		}
		match, _, _ := erasePredicate(cols)
		if match == "" {
			continue
		}
		var stmt string
		if cols["marketo_ids"] {
			stmt = "UPDATE " + quoteIdent(table) + " SET marketo_ids = " + keptIDs + ", person_count = len(" + keptIDs + ") WHERE " + match
		} else {
			stmt = "DELETE FROM " + quoteIdent(table) + " WHERE " + match
		}
		r, err := tx.ExecContext(ctx, stmt)
		if err != nil {
			return res, fmt.Errorf("erase from %s: %w", table, err)
		}
		n, _ := r.RowsAffected()
		res.Rows += n
		if cols["marketo_ids"] {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+quoteIdent(table)+" WHERE len(marketo_ids) < 2"); err != nil {
				return res, err
			}
		}
	}

	var salt string
	if err := tx.QueryRowContext(ctx, sqlfiles.Text("erase/salt")).Scan(&salt); err != nil {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return res, err
		}
		salt = hex.EncodeToString(b[:])
		if _, err := tx.ExecContext(ctx, sqlfiles.Text("erase/insert_salt"), salt); err != nil {
			return res, err
		}
	}
	hashes := make([]string, len(ids))
	for i, id := range ids {
		hashes[i] = ErasureHash(salt, strconv.FormatInt(id, 10))
	}
	if _, err := tx.ExecContext(ctx, sqlfiles.Text("erase/insert_erasure"),
		time.Now().UTC(), len(ids), hashes, res.Rows, res.SnapshotFiles); err != nil {
		return res, fmt.Errorf("record erasure: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return res, fmt.Errorf("erase: commit: %w", err)
	}
	dropTemp()
	// DuckDB leaves deleted values in the free blocks of the database file
	// (a checkpoint does not zero them): copy the database into a new file
	// and swap it in.
	if err := s.compact(ctx); err != nil {
		return res, fmt.Errorf("erase: rewriting %s: %w", DatabaseFile, err)
	}
	return res, nil
}

// compact rewrites the database into a new file with COPY FROM DATABASE,
// checks that every table kept its row count, and renames the new file over
// the old one, reopening the state's connection. A crash before the rename
// leaves the old file, whose tables are already erased; Open ignores the
// temporary file and the next compact removes it.
func (s *State) compact(ctx context.Context) error {
	path := filepath.Join(s.Dir, DatabaseFile)
	tmp := path + ".compact"
	os.Remove(tmp)
	os.Remove(tmp + ".wal")
	var name string
	if err := s.conn.QueryRowContext(ctx, "SELECT current_database()").Scan(&name); err != nil {
		return err
	}
	if _, err := s.conn.ExecContext(ctx, "ATTACH "+sqlfiles.QuoteString(tmp)+" AS actsync_compact"); err != nil {
		return err
	}
	detach := func() error {
		_, err := s.conn.ExecContext(context.Background(), "DETACH actsync_compact")
		return err
	}
	if _, err := s.conn.ExecContext(ctx, "COPY FROM DATABASE "+quoteIdent(name)+" TO actsync_compact"); err != nil {
		detach()
		return err
	}
	rows, err := s.conn.QueryContext(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_catalog = current_database() AND table_schema = 'main' AND table_type = 'BASE TABLE'`)
	if err != nil {
		detach()
		return err
	}
	var tables []string
	for rows.Next() {
		var t string
		rows.Scan(&t)
		tables = append(tables, t)
	}
	rows.Close()
	for _, t := range tables {
		var a, b int64
		q := fmt.Sprintf("SELECT (SELECT count(*) FROM %s.main.%s), (SELECT count(*) FROM actsync_compact.main.%s)", quoteIdent(name), quoteIdent(t), quoteIdent(t))
		if err := s.conn.QueryRowContext(ctx, q).Scan(&a, &b); err != nil || a != b {
			detach()
			return fmt.Errorf("copy of table %s has %d rows, not %d (%v)", t, b, a, err)
		}
	}
	if err := detach(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return err
	}
	s.conn.Close()
	if err := s.db.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	os.Remove(path + ".wal")
	fresh, err := open(ctx, s.Dir, false)
	if err != nil {
		return err
	}
	s.db, s.conn = fresh.db, fresh.conn
	return nil
}

// ErasureHash is the erasures.id_hashes entry of a Marketo id: hex
// sha256(salt ":" id), salt from the state's erasure_salt table.
func ErasureHash(salt, id string) string {
	h := sha256.Sum256([]byte(salt + ":" + id))
	return hex.EncodeToString(h[:])
}

// keptIDs is a marketo_ids list without the ids being erased.
const keptIDs = "list_filter(marketo_ids, x -> NOT list_contains(getvariable('erase_id_list'), x))"

// erasePredicate builds, from a table's column names, the SQL condition of
// the rows of the erased people (match), its negation for rewriting a file
// (keep), and the projection that drops the ids from a marketo_ids list.
// It returns "" when the table holds nothing personal. It is built here,
// not kept in a .sql file, because it depends on which personal columns a
// table or snapshot file has, found at run time, so that a table added
// later is erased without a change here. It holds column names and fixed
// text only: the values are in the temp tables erase_ids, erase_emails and
// erase_lines and the variables erase_id_list and erase_id_regex
// (sql/erase/).
func erasePredicate(cols map[string]bool) (match, keep, project string) {
	var parts, idCols []string
	for _, c := range []string{"marketo_id", "lead_id"} {
		if cols[c] {
			idCols = append(idCols, c)
			parts = append(parts, c+" IN (SELECT id FROM erase_ids)")
		}
	}
	if cols["email"] {
		p := "lower(trim(email)) IN (SELECT email_key FROM erase_emails)"
		if len(idCols) > 0 {
			p += " AND coalesce(" + strings.Join(idCols, ", ") + ") IS NULL"
		}
		parts = append(parts, "("+p+")")
	}
	if cols["raw"] {
		parts = append(parts, "regexp_matches(raw, getvariable('erase_id_regex'))",
			"EXISTS (SELECT 1 FROM erase_emails e WHERE contains(lower(raw), e.email_key))")
		if cols["source_file"] && cols["line"] {
			parts = append(parts, "(source_file || ':' || line) IN (SELECT source_file || ':' || line FROM erase_lines)")
		}
	}
	project = "*"
	if cols["marketo_ids"] {
		parts = append(parts, "list_has_any(marketo_ids, getvariable('erase_id_list'))")
		project = "* REPLACE (" + keptIDs + " AS marketo_ids"
		if cols["person_count"] {
			project += ", len(" + keptIDs + ") AS person_count"
		}
		project += ")"
		match = strings.Join(parts, " OR ")
		return match, "len(" + keptIDs + ") >= 2", project
	}
	if len(parts) == 0 {
		return "", "", ""
	}
	match = strings.Join(parts, " OR ")
	return match, "NOT coalesce(" + match + ", false)", project
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*dbsql.Rows, error)
}

// columns returns the column names of a query's result (a query that
// returns no rows).
func columns(ctx context.Context, q querier, query string, args ...any) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	cols := map[string]bool{}
	for _, n := range names {
		cols[n] = true
	}
	return cols, nil
}

// snapshotFiles lists every Parquet file under snapshots/.
func snapshotFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(filepath.Join(dir, SnapshotDir), func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".parquet") {
			files = append(files, path)
		}
		return nil
	})
	return files, err
}

// quoteIdent quotes a SQL identifier (a table name read from the catalog).
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
