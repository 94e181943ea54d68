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
	idList := make([]string, len(ids))
	for i, id := range ids {
		idList[i] = strconv.FormatInt(id, 10)
	}
	// Integers formatted by Go, never input text: safe to splice.
	idsLit := "[" + strings.Join(idList, ", ") + "]::BIGINT[]"
	idRegex := sqlfiles.QuoteString(`(^|[^0-9])(` + strings.Join(idList, "|") + `)([^0-9]|$)`)

	snapshots, err := snapshotFiles(s.Dir)
	if err != nil {
		return res, err
	}
	var peopleFiles []string
	for _, f := range snapshots {
		if strings.HasPrefix(f, filepath.Join(s.Dir, SnapshotDir, "people")+string(filepath.Separator)) {
			peopleFiles = append(peopleFiles, sqlfiles.QuoteString(f))
		}
	}
	// The ids are spliced; the statements of sql/erase/ read them from
	// erase_ids.
	if _, err := conn.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE erase_ids AS SELECT unnest("+idsLit+") AS id"); err != nil {
		return res, fmt.Errorf("erase: %w", err)
	}
	run := &sqlfiles.Runner{Tx: conn, Stage: "erase"}
	if err := run.Run(ctx, "erase", map[string][]any{"erase_emails": nil, "erase_lines": nil, "erase_found": nil}); err != nil {
		return res, fmt.Errorf("erase: %w", err)
	}
	var setup []string
	if len(peopleFiles) > 0 {
		files := "[" + strings.Join(peopleFiles, ", ") + "]"
		setup = append(setup,
			`INSERT INTO erase_emails SELECT DISTINCT lower(trim(email)) FROM read_parquet(`+files+`, hive_partitioning = false)
			 WHERE marketo_id IN (SELECT id FROM erase_ids) AND email IS NOT NULL`,
			`INSERT INTO erase_lines SELECT DISTINCT source_file, source_line FROM read_parquet(`+files+`, hive_partitioning = false)
			 WHERE marketo_id IN (SELECT id FROM erase_ids) AND source_file IS NOT NULL`,
			`INSERT INTO erase_found SELECT DISTINCT marketo_id FROM read_parquet(`+files+`, hive_partitioning = false)
			 WHERE marketo_id IN (SELECT id FROM erase_ids)`)
	}
	for _, q := range setup {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return res, fmt.Errorf("erase: %w", err)
		}
	}
	dropTemp := func() {
		conn.ExecContext(context.Background(), "DROP TABLE IF EXISTS erase_ids; DROP TABLE IF EXISTS erase_emails; DROP TABLE IF EXISTS erase_lines; DROP TABLE IF EXISTS erase_found")
	}
	defer dropTemp()
	if err := conn.QueryRowContext(ctx, "SELECT count(DISTINCT id) FROM erase_found").Scan(&res.People); err != nil {
		return res, err
	}

	// Snapshots first: if the process dies here, the tables still hold
	// the person and no erasure is recorded; rerunning finishes.
	for _, f := range snapshots {
		src := sqlfiles.QuoteString(f)
		cols, err := columns(ctx, conn, "SELECT * FROM read_parquet("+src+", hive_partitioning = false)")
		if err != nil {
			return res, fmt.Errorf("erase: %s: %w", f, err)
		}
		match, keep, project := erasePredicate(cols, idsLit, idRegex)
		if match == "" {
			continue
		}
		var n int64
		q := "SELECT count(*) FROM read_parquet(" + src + ", hive_partitioning = false) WHERE " + match
		if err := conn.QueryRowContext(ctx, q).Scan(&n); err != nil {
			return res, fmt.Errorf("erase: %s: %w", f, err)
		}
		if n == 0 {
			continue
		}
		tmp := f + ".erase.tmp"
		copySQL := fmt.Sprintf("COPY (SELECT %s FROM read_parquet(%s, hive_partitioning = false) WHERE %s) TO %s (FORMAT parquet)",
			project, src, keep, sqlfiles.QuoteString(tmp))
		if _, err := conn.ExecContext(ctx, copySQL); err != nil {
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
	tables, err := tx.QueryContext(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = 'main' AND table_type = 'BASE TABLE' AND table_catalog = current_database()
		  AND table_name NOT IN ('runs', 'inputs', 'erasures', 'erasure_salt') ORDER BY table_name`)
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
		cols, err := columns(ctx, tx, "SELECT * FROM "+quoteIdent(table))
		if err != nil {
			return res, err
		}
		match, _, _ := erasePredicate(cols, idsLit, idRegex)
		if match == "" {
			continue
		}
		var stmt string
		if cols["marketo_ids"] {
			stmt = fmt.Sprintf(`UPDATE %s SET marketo_ids = list_filter(marketo_ids, x -> NOT list_contains(%s, x)),
				person_count = len(list_filter(marketo_ids, x -> NOT list_contains(%s, x))) WHERE %s`,
				quoteIdent(table), idsLit, idsLit, match)
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
	if err := tx.QueryRowContext(ctx, "SELECT salt FROM erasure_salt").Scan(&salt); err != nil {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return res, err
		}
		salt = hex.EncodeToString(b[:])
		if _, err := tx.ExecContext(ctx, "INSERT INTO erasure_salt VALUES ($1)", salt); err != nil {
			return res, err
		}
	}
	hashes := make([]string, len(ids))
	for i, id := range idList {
		hashes[i] = ErasureHash(salt, id)
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO erasures VALUES ($1, $2, $3::VARCHAR[], $4, $5)",
		time.Now().UTC(), len(ids), "["+strings.Join(hashes, ", ")+"]", res.Rows, res.SnapshotFiles); err != nil {
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

// erasePredicate builds, from a table's column names, the SQL condition of
// the rows of the erased people (match), its negation for rewriting a file
// (keep), and the projection that drops the ids from a marketo_ids list.
// It returns "" when the table holds nothing personal. The temp tables
// erase_ids, erase_emails and erase_lines hold the keys.
func erasePredicate(cols map[string]bool, idsLit, idRegex string) (match, keep, project string) {
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
		parts = append(parts, "regexp_matches(raw, "+idRegex+")",
			"EXISTS (SELECT 1 FROM erase_emails e WHERE contains(lower(raw), e.email_key))")
		if cols["source_file"] && cols["line"] {
			parts = append(parts, "(source_file || ':' || line) IN (SELECT source_file || ':' || line FROM erase_lines)")
		}
	}
	project = "*"
	if cols["marketo_ids"] {
		parts = append(parts, "list_has_any(marketo_ids, "+idsLit+")")
		kept := "list_filter(marketo_ids, x -> NOT list_contains(" + idsLit + ", x))"
		project = "* REPLACE (" + kept + " AS marketo_ids"
		if cols["person_count"] {
			project += ", len(" + kept + ") AS person_count"
		}
		project += ")"
		match = strings.Join(parts, " OR ")
		return match, "len(" + kept + ") >= 2", project
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

// columns returns the column names of a query's result.
func columns(ctx context.Context, q querier, query string) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, query+" LIMIT 0")
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
