package main

import (
	"context"
	dbsql "database/sql"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	sqlfiles "github.com/actsync/actsync/sql"
)

// comparedFields are the people columns compared between the two sides
// besides marketo_id: the 12 other synced fields, the sales owner and the
// duplicate-email key.
var comparedFields = []string{
	"first_name", "last_name", "email", "phone", "company", "title", "linkedin_url", "source",
	"sfdc_lead_id", "sfdc_contact_id", "sfdc_account_id", "sfdc_opportunity_id",
	"sales_owner_id", "email_key",
}

// agreement compares the people that actsync (its active people) and the
// baseline synced from the same input.
type agreement struct {
	Agree            bool             `json:"agree"`
	ActsyncPeople    int64            `json:"actsync_people"`
	BaselinePeople   int64            `json:"baseline_people"`
	OnlyActsync      int64            `json:"only_actsync"`
	OnlyBaseline     int64            `json:"only_baseline"`
	FieldDiffs       map[string]int64 `json:"field_diffs,omitempty"` // people whose field differs
	ActsyncDupGroups int64            `json:"actsync_duplicate_groups"`
	BaseDupGroups    int64            `json:"baseline_duplicate_groups"`
	// DupGroupDiffs counts the groups (email key and member ids) found on
	// one side and not the other: equal counts of different groups
	// disagree.
	DupGroupDiffs int64    `json:"duplicate_group_diffs"`
	Examples      []string `json:"examples,omitempty"` // a few differing marketo_ids, per kind
}

// compare attaches both databases read-only to an in-memory DuckDB and
// compares actsync's active people (and its last run's duplicate-email
// groups) with the baseline's.
func compare(ctx context.Context, actsyncState, baselineDir string) (*agreement, error) {
	conn, closeSides, err := attachSides(ctx, actsyncState, baselineDir)
	if err != nil {
		return nil, err
	}
	defer closeSides()
	for _, s := range []string{
		"CREATE TEMP VIEW ap AS SELECT * FROM a.people WHERE status = 'active'",
		`CREATE TEMP VIEW ad AS SELECT email_key, marketo_ids FROM a.duplicate_emails
			WHERE run_id = (SELECT max(run_id) FROM a.runs)`,
		"CREATE TEMP VIEW bd AS SELECT email_key, marketo_ids FROM b.duplicate_emails",
	} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return nil, err
		}
	}
	g := &agreement{FieldDiffs: map[string]int64{}}
	err = conn.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM ap),
		(SELECT count(*) FROM b.people),
		(SELECT count(*) FROM (SELECT marketo_id FROM ap EXCEPT SELECT marketo_id FROM b.people)),
		(SELECT count(*) FROM (SELECT marketo_id FROM b.people EXCEPT SELECT marketo_id FROM ap)),
		(SELECT count(*) FROM ad),
		(SELECT count(*) FROM bd),
		(SELECT count(*) FROM ((SELECT * FROM ad EXCEPT ALL SELECT * FROM bd)
		                       UNION ALL (SELECT * FROM bd EXCEPT ALL SELECT * FROM ad)))`).Scan(
		&g.ActsyncPeople, &g.BaselinePeople, &g.OnlyActsync, &g.OnlyBaseline,
		&g.ActsyncDupGroups, &g.BaseDupGroups, &g.DupGroupDiffs)
	if err != nil {
		return nil, fmt.Errorf("comparing people: %w", err)
	}
	// The column names are the fixed list above, never input.
	var counts []string
	for _, f := range comparedFields {
		counts = append(counts, fmt.Sprintf("count(*) FILTER (WHERE x.%[1]s IS DISTINCT FROM y.%[1]s)", f))
	}
	diffs := make([]int64, len(comparedFields))
	dest := make([]any, len(diffs))
	for i := range diffs {
		dest[i] = &diffs[i]
	}
	err = conn.QueryRowContext(ctx, "SELECT "+strings.Join(counts, ", ")+
		" FROM ap x JOIN b.people y USING (marketo_id)").Scan(dest...)
	if err != nil {
		return nil, fmt.Errorf("comparing fields: %w", err)
	}
	for i, f := range comparedFields {
		if diffs[i] > 0 {
			g.FieldDiffs[f] = diffs[i]
		}
	}
	g.Agree = g.ActsyncPeople == g.BaselinePeople && g.OnlyActsync == 0 && g.OnlyBaseline == 0 &&
		len(g.FieldDiffs) == 0 && g.ActsyncDupGroups == g.BaseDupGroups && g.DupGroupDiffs == 0
	if !g.Agree {
		if g.Examples, err = examples(ctx, conn); err != nil {
			return nil, err
		}
	}
	return g, nil
}

// attachSides opens an in-memory DuckDB with actsync's state attached
// read-only as a and the baseline's database as b. close closes both.
func attachSides(ctx context.Context, actsyncState, baselineDir string) (conn *dbsql.Conn, close func(), err error) {
	db, err := dbsql.Open("duckdb", "")
	if err != nil {
		return nil, nil, err
	}
	if conn, err = db.Conn(ctx); err != nil {
		db.Close()
		return nil, nil, err
	}
	close = func() { conn.Close(); db.Close() }
	for _, s := range []string{
		"ATTACH " + sqlfiles.QuoteString(filepath.Join(actsyncState, "actions.duckdb")) + " AS a (READ_ONLY)",
		"ATTACH " + sqlfiles.QuoteString(filepath.Join(baselineDir, baselineDB)) + " AS b (READ_ONLY)",
	} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			close()
			return nil, nil, err
		}
	}
	return conn, close, nil
}

// examples lists up to three differing marketo_ids of each kind, to start
// finding out why the sides disagree.
func examples(ctx context.Context, conn *dbsql.Conn) ([]string, error) {
	var fieldDiff []string
	for _, f := range comparedFields {
		fieldDiff = append(fieldDiff, fmt.Sprintf("x.%[1]s IS DISTINCT FROM y.%[1]s", f))
	}
	queries := []struct{ kind, query string }{
		{"only in actsync", "SELECT marketo_id FROM ap EXCEPT SELECT marketo_id FROM b.people ORDER BY 1 LIMIT 3"},
		{"only in baseline", "SELECT marketo_id FROM b.people EXCEPT SELECT marketo_id FROM ap ORDER BY 1 LIMIT 3"},
		{"fields differ", "SELECT marketo_id FROM ap x JOIN b.people y USING (marketo_id) WHERE " +
			strings.Join(fieldDiff, " OR ") + " ORDER BY 1 LIMIT 3"},
		// The email key is personal data: a group is named by its first id.
		{"duplicate group differs", `SELECT marketo_ids[1] FROM ((SELECT * FROM ad EXCEPT ALL SELECT * FROM bd)
			UNION ALL (SELECT * FROM bd EXCEPT ALL SELECT * FROM ad)) ORDER BY 1 LIMIT 3`},
	}
	var out []string
	for _, q := range queries {
		rows, err := conn.QueryContext(ctx, q.query)
		if err != nil {
			return nil, err
		}
		var ids []string
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			ids = append(ids, fmt.Sprint(id))
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if len(ids) > 0 {
			out = append(out, q.kind+": "+strings.Join(ids, ", "))
		}
	}
	return out, nil
}

// print writes the agreement in a few lines.
func (g *agreement) print(w io.Writer) {
	if g.Agree {
		fmt.Fprintf(w, "agreement: YES, both sides synced the same %d people (same marketo_ids, sales owners and 13 fields) and the same %d duplicate-email groups (keys and members)\n",
			g.ActsyncPeople, g.ActsyncDupGroups)
		return
	}
	fmt.Fprintf(w, "agreement: NO, the sides did different work; the timings compare unlike things\n")
	fmt.Fprintf(w, "  people: actsync %d active, baseline %d; only in actsync %d, only in baseline %d\n",
		g.ActsyncPeople, g.BaselinePeople, g.OnlyActsync, g.OnlyBaseline)
	for _, f := range comparedFields {
		if n := g.FieldDiffs[f]; n > 0 {
			fmt.Fprintf(w, "  %s differs for %d people\n", f, n)
		}
	}
	fmt.Fprintf(w, "  duplicate-email groups: actsync %d, baseline %d; %d on one side only\n", g.ActsyncDupGroups, g.BaseDupGroups, g.DupGroupDiffs)
	for _, e := range g.Examples {
		fmt.Fprintf(w, "  e.g. %s\n", e)
	}
}
