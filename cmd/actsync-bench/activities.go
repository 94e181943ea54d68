package main

// The activities mode (--activities N): an activities-only `actsync run`
// against a people state, side by side with activities_baseline.sql.
//
// Setup, untimed: synth generates people.csv (--people, default 100,000 in
// this mode) and activities.csv (N activities whose leadIds and emails point
// at those people), cached in the work directory like the people export;
// `actsync run --people` syncs the people once into a base state, and the
// baseline's starting database is a copy of that state's people table. Each
// round copies both starting points, so both sides reconcile against the
// same people, and each side runs in its own child process.

import (
	"context"
	dbsql "database/sql"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"text/tabwriter"

	"github.com/actsync/actsync/internal/synth"
	"github.com/actsync/actsync/reconcile/activities"
	sqlfiles "github.com/actsync/actsync/sql"
)

// activitiesBaselineSQL is the plain-DuckDB-SQL baseline of the activities
// mode (see the file's comment).
//
//go:embed activities_baseline.sql
var activitiesBaselineSQL string

// Files of the activities mode's work directory.
const (
	actExportDir     = "activities-export" // under --work: the generated exports and their manifest
	actPeopleName    = "people.csv"
	actActivityName  = "activities.csv"
	actTypesName     = "activity_types.csv" // the built-in type table, for the baseline
	actBaseDir       = "activities-base"    // under --work: the base state and the baseline's people
	actDefaultPeople = 100_000
)

// actManifest records what the activities export was generated from.
type actManifest struct {
	People     int                  `json:"people"`
	Activities int                  `json:"activities"`
	Seed       int64                `json:"seed"`
	Files      map[string]fileEntry `json:"files"`
}

// actWorkload is the activities mode's inputs.
type actWorkload struct {
	People, Activities, Types string
	PeopleRows, Rows, Bytes   int64
	Reused                    bool
}

// prepareActivities generates into dir, or reuses from it, a people export
// of people rows and an activity export of n rows for those people (seed
// seed), and writes the built-in activity types for the baseline.
func prepareActivities(dir string, people, n int, seed int64, log io.Writer) (*actWorkload, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var m actManifest
	if b, err := os.ReadFile(filepath.Join(dir, manifestName)); err != nil || json.Unmarshal(b, &m) != nil ||
		m.People != people || m.Activities != n || m.Seed != seed {
		m = actManifest{People: people, Activities: n, Seed: seed}
	}
	if m.Files == nil {
		m.Files = map[string]fileEntry{}
	}
	w := &actWorkload{
		People: filepath.Join(dir, actPeopleName), Activities: filepath.Join(dir, actActivityName),
		Types: filepath.Join(dir, actTypesName), Reused: true,
	}
	files := []struct {
		name string
		rows int64
		fill func(io.Writer) error
	}{
		{actPeopleName, int64(people), func(w io.Writer) error {
			return synth.WritePeople(w, synth.PeopleOptions{N: people, Seed: seed})
		}},
		{actActivityName, int64(n), func(w io.Writer) error {
			return synth.WriteActivities(w, synth.ActivityOptions{N: n, People: people, Seed: seed})
		}},
	}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		e, ok := m.Files[f.name]
		if info, err := os.Stat(path); ok && err == nil && info.Mode().IsRegular() && info.Size() == e.Bytes {
			fmt.Fprintf(log, "reusing %s (%d rows)\n", path, e.Rows)
			continue
		}
		w.Reused = false
		delete(m.Files, f.name)
		if err := writeJSONFile(filepath.Join(dir, manifestName), &m); err != nil {
			return nil, err
		}
		fmt.Fprintf(log, "generating %s (synth, %d people, %d activities, seed %d)\n", path, people, n, seed)
		size, err := writeGenerated(path, f.fill)
		if err != nil {
			return nil, err
		}
		m.Files[f.name] = fileEntry{Bytes: size, Rows: f.rows}
		if err := writeJSONFile(filepath.Join(dir, manifestName), &m); err != nil {
			return nil, err
		}
	}
	w.PeopleRows, w.Rows, w.Bytes = m.Files[actPeopleName].Rows, m.Files[actActivityName].Rows, m.Files[actActivityName].Bytes
	return w, writeTypes(w.Types)
}

// writeGenerated writes fill's output to path (synth.WriteFile) and returns
// its size.
func writeGenerated(path string, fill func(io.Writer) error) (int64, error) {
	if err := synth.WriteFile(path, fill); err != nil {
		return 0, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return info.Size(), nil
}

func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// writeTypes writes actsync's built-in activity type table (what a data
// engineer would keep as a lookup table) as id,type_name,category,sales_kind.
func writeTypes(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write([]string{"id", "type_name", "category", "sales_kind"})
	types := activities.BuiltinTypes()
	for _, id := range types.IDs(func(activities.Type) bool { return true }) {
		t, _ := types.Lookup(id)
		w.Write([]string{strconv.Itoa(int(id)), t.Name, t.Category, t.Kind})
	}
	w.Flush()
	return errors.Join(w.Error(), f.Close())
}

// actReport is the part of actsync's run report the activities mode reads.
type actReport struct {
	Stages []struct {
		Stage   string  `json:"stage"`
		Seconds float64 `json:"seconds"`
	} `json:"stages"`
	Activities *struct {
		Read   int64 `json:"read"`
		Loaded int64 `json:"loaded"`
	} `json:"activities"`
}

// actResult is a whole activities-mode bench run.
type actResult struct {
	People     int64       `json:"people"`
	Activities int64       `json:"activities"`
	Seed       int64       `json:"seed"`
	Rounds     int         `json:"rounds"`
	CPUs       int         `json:"cpus"`
	Input      string      `json:"input"`
	InputBytes int64       `json:"input_bytes"`
	Reused     bool        `json:"input_reused"`
	Agreement  *actAgree   `json:"agreement"`
	Sides      []side      `json:"sides"` // PeoplePerSec is activities/s here
	Ratio      float64     `json:"ratio"` // actsync median / baseline median
	Stages     []stageTime `json:"actsync_stages"`
}

// activitiesMode is the whole activities mode; it returns the exit code.
func activitiesMode(ctx context.Context, cfg config, n int, peopleSet bool, stdout, stderr io.Writer) int {
	if !peopleSet {
		cfg.People = actDefaultPeople
	}
	if cfg.Delta {
		fmt.Fprintln(stderr, "actsync-bench: --delta is a people-mode flag")
		return 2
	}
	res, err := benchActivities(ctx, cfg, n, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "actsync-bench: %v\n", err)
		return 1
	}
	return report(res, cfg.JSON, stdout, stderr)
}

func benchActivities(ctx context.Context, cfg config, n int, log io.Writer) (*actResult, error) {
	work, err := filepath.Abs(cfg.Work)
	if err != nil {
		return nil, err
	}
	wl, err := prepareActivities(filepath.Join(work, actExportDir), cfg.People, n, cfg.Seed, log)
	if err != nil {
		return nil, fmt.Errorf("preparing the exports: %w", err)
	}
	actsync, self, err := binaries(ctx, cfg, work, log)
	if err != nil {
		return nil, err
	}

	// The starting points: actsync's state after the people sync, and the
	// baseline's database holding the same people table.
	base := filepath.Join(work, actBaseDir)
	if err := os.RemoveAll(base); err != nil {
		return nil, err
	}
	baseState := filepath.Join(base, "state")
	fmt.Fprintf(log, "people sync into the base state (untimed)\n")
	if err := os.MkdirAll(base, 0o755); err != nil {
		return nil, err
	}
	if _, err := runChild(ctx, base, nil, actsync, "run", "--people", wl.People, "--state", baseState, "--json"); err != nil {
		return nil, err
	}
	baseDB := filepath.Join(base, baselineDB)
	if err := copyPeople(ctx, baseState, baseDB); err != nil {
		return nil, err
	}

	runs := filepath.Join(work, "activities-runs")
	if err := os.RemoveAll(runs); err != nil {
		return nil, err
	}
	b := &actBencher{actsync: actsync, self: self, wl: wl, baseState: baseState, baseDB: baseDB}
	res := &actResult{
		People: wl.PeopleRows, Activities: wl.Rows, Seed: cfg.Seed, Rounds: cfg.Rounds, CPUs: runtime.NumCPU(),
		Input: wl.Activities, InputBytes: wl.Bytes, Reused: wl.Reused,
	}

	fmt.Fprintf(log, "verification round\n")
	dir := filepath.Join(runs, "verify")
	if _, _, err := b.actsyncRun(ctx, filepath.Join(dir, "actsync")); err != nil {
		return nil, err
	}
	if _, err := b.baselineRun(ctx, filepath.Join(dir, "baseline")); err != nil {
		return nil, err
	}
	if res.Agreement, err = compareActivities(ctx, filepath.Join(dir, "actsync"), filepath.Join(dir, "baseline")); err != nil {
		return nil, err
	}
	res.Agreement.print(log)
	if err := cleanup(cfg.Keep, dir); err != nil {
		return nil, err
	}

	var a, bl sideRuns
	var reports []*actReport
	for r := 1; r <= cfg.Rounds; r++ {
		dir := filepath.Join(runs, "round-"+strconv.Itoa(r))
		m, rep, err := b.actsyncRun(ctx, filepath.Join(dir, "actsync"))
		if err != nil {
			return nil, err
		}
		a.add(m, nil)
		reports = append(reports, rep)
		fmt.Fprintf(log, "round %d/%d: %s %.2fs %.0f MiB", r, cfg.Rounds, sideActsync, m.Seconds, mib(m.MaxRSSKiB))
		if m, err = b.baselineRun(ctx, filepath.Join(dir, "baseline")); err != nil {
			return nil, err
		}
		bl.add(m, nil)
		fmt.Fprintf(log, ", %s %.2fs %.0f MiB\n", sideBaseline, m.Seconds, mib(m.MaxRSSKiB))
		if err := cleanup(cfg.Keep, dir); err != nil {
			return nil, err
		}
	}
	res.Sides = []side{a.summary(sideActsync, wl.Rows), bl.summary(sideBaseline, wl.Rows)}
	res.Ratio = res.Sides[0].MedianSeconds / res.Sides[1].MedianSeconds
	for _, rep := range reports {
		a.reports = append(a.reports, &runReport{Stages: rep.Stages})
	}
	res.Stages = a.stageMedians()
	return res, nil
}

// actBencher runs the two sides of the activities mode.
type actBencher struct {
	actsync, self     string
	wl                *actWorkload
	baseState, baseDB string
}

// actsyncRun copies the base state to state and runs `actsync run
// --activities` there.
func (b *actBencher) actsyncRun(ctx context.Context, state string) (measurement, *actReport, error) {
	if err := copyDir(b.baseState, state); err != nil {
		return measurement{}, nil, err
	}
	m, err := runChild(ctx, filepath.Dir(state), nil, b.actsync, "run", "--activities", b.wl.Activities, "--state", state, "--json")
	if err != nil {
		return m, nil, err
	}
	var rep actReport
	if err := json.Unmarshal(m.Stdout, &rep); err != nil {
		return m, nil, fmt.Errorf("actsync run --json: %w", err)
	}
	if rep.Activities == nil || rep.Activities.Read != b.wl.Rows {
		return m, nil, fmt.Errorf("actsync did not read the %d activities of %s", b.wl.Rows, b.wl.Activities)
	}
	return m, &rep, nil
}

// baselineRun copies the baseline's people database into the new directory
// dir and runs the baseline child there.
func (b *actBencher) baselineRun(ctx context.Context, dir string) (measurement, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return measurement{}, err
	}
	if err := copyFile(b.baseDB, filepath.Join(dir, baselineDB)); err != nil {
		return measurement{}, err
	}
	return runChild(ctx, dir, []string{childEnv + "=1"}, b.self, "baseline-activities",
		"--activities", b.wl.Activities, "--types", b.wl.Types)
}

// copyPeople creates the baseline's starting database dst holding a copy of
// the people table of the actsync state.
func copyPeople(ctx context.Context, state, dst string) error {
	db, err := dbsql.Open("duckdb", dst)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, s := range []string{
		"ATTACH " + sqlfiles.QuoteString(filepath.Join(state, "actions.duckdb")) + " AS a (READ_ONLY)",
		"CREATE TABLE people AS SELECT * FROM a.people",
		"DETACH a",
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("baseline people: %w", err)
		}
	}
	return db.Close()
}

// copyDir copies the regular files and directories under src to dst.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		return copyFile(path, target)
	})
}

// baselineActivitiesCmd is the hidden `actsync-bench baseline-activities
// --activities FILE --types FILE` child: it opens baseline.duckdb in the
// working directory (a copy of the people) and runs activities_baseline.sql.
func baselineActivitiesCmd(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("baseline-activities", flag.ContinueOnError)
	fs.SetOutput(stderr)
	acts := fs.String("activities", "", "activity export CSV `FILE`")
	types := fs.String("types", "", "activity types CSV `FILE` (id, type_name, category, sales_kind)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *acts == "" || *types == "" || fs.NArg() > 0 {
		return errors.New("baseline-activities: --activities FILE and --types FILE are required")
	}
	return runBaseline(ctx, "activities_baseline.sql", activitiesBaselineSQL,
		map[string]string{"activities_file": *acts, "types_file": *types})
}

// actAgree compares the two sides' outputs row by row.
type actAgree struct {
	Agree  bool        `json:"agree"`
	Tables []actTable  `json:"tables"`
	Match  []matchRows `json:"buckets"` // actsync's and the baseline's count per match bucket
}

// actTable is one compared table: its rows on each side and the rows found
// on one side only (EXCEPT ALL, every compared column).
type actTable struct {
	Table        string `json:"table"`
	Actsync      int64  `json:"actsync_rows"`
	Baseline     int64  `json:"baseline_rows"`
	OnlyActsync  int64  `json:"only_actsync"`
	OnlyBaseline int64  `json:"only_baseline"`
}

type matchRows struct {
	Match    string `json:"match"`
	Actsync  int64  `json:"actsync"`
	Baseline int64  `json:"baseline"`
}

// actCompared are the tables compared and, per table, the columns of the
// actsync side that the baseline's columns line up with (actsync's run_id
// and bookkeeping columns are left out). For activities the comparison is
// the match of each activity, not its stored text.
var actCompared = []struct{ table, actsync, baseline string }{
	{"activities (guid, match, marketo_id)", "SELECT marketo_guid, match, marketo_id FROM a.activities",
		"SELECT marketo_guid, match, marketo_id FROM b.activities"},
	{"sales_activity_log", "SELECT * EXCLUDE (run_id) FROM a.sales_activity_log", "SELECT * FROM b.sales_activity_log"},
	{"salesforce_tasks", "SELECT * EXCLUDE (run_id) FROM a.salesforce_tasks", "SELECT * FROM b.salesforce_tasks"},
	{"unsubscribe_violations", "SELECT * EXCLUDE (run_id) FROM a.unsubscribe_violations", "SELECT * FROM b.unsubscribe_violations"},
	{"person_activity_summary", "SELECT * EXCLUDE (run_id) FROM a.person_activity_summary", "SELECT * FROM b.person_activity_summary"},
}

// compareActivities attaches both databases read-only to an in-memory
// DuckDB and compares the outputs by content.
func compareActivities(ctx context.Context, actsyncState, baselineDir string) (*actAgree, error) {
	conn, closeSides, err := attachSides(ctx, actsyncState, baselineDir)
	if err != nil {
		return nil, err
	}
	defer closeSides()
	g := &actAgree{Agree: true}
	for _, c := range actCompared {
		t := actTable{Table: c.table}
		// The queries are the fixed list above, never input.
		err := conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT
			(SELECT count(*) FROM (%[1]s)), (SELECT count(*) FROM (%[2]s)),
			(SELECT count(*) FROM (%[1]s EXCEPT ALL %[2]s)), (SELECT count(*) FROM (%[2]s EXCEPT ALL %[1]s))`,
			c.actsync, c.baseline)).Scan(&t.Actsync, &t.Baseline, &t.OnlyActsync, &t.OnlyBaseline)
		if err != nil {
			return nil, fmt.Errorf("comparing %s: %w", c.table, err)
		}
		g.Agree = g.Agree && t.OnlyActsync == 0 && t.OnlyBaseline == 0 && t.Actsync == t.Baseline
		g.Tables = append(g.Tables, t)
	}
	rows, err := conn.QueryContext(ctx, `SELECT match, count(*) FILTER (WHERE side = 'a'), count(*) FILTER (WHERE side = 'b')
		FROM (SELECT match, 'a' AS side FROM a.activities UNION ALL SELECT match, 'b' FROM b.activities)
		GROUP BY match ORDER BY match`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var m matchRows
		if err := rows.Scan(&m.Match, &m.Actsync, &m.Baseline); err != nil {
			return nil, err
		}
		g.Agree = g.Agree && m.Actsync == m.Baseline
		g.Match = append(g.Match, m)
	}
	return g, rows.Err()
}

func (g *actAgree) print(w io.Writer) {
	if g.Agree {
		fmt.Fprintf(w, "agreement: YES, both sides produced the same rows:")
	} else {
		fmt.Fprintf(w, "agreement: NO, the sides did different work; the timings compare unlike things:")
	}
	for _, m := range g.Match {
		fmt.Fprintf(w, " %s %d/%d", m.Match, m.Actsync, m.Baseline)
	}
	fmt.Fprintln(w, " (actsync/baseline)")
	for _, t := range g.Tables {
		fmt.Fprintf(w, "  %s: %d rows / %d rows, only in actsync %d, only in baseline %d\n",
			t.Table, t.Actsync, t.Baseline, t.OnlyActsync, t.OnlyBaseline)
	}
}

func (r *actResult) agreed() bool { return r.Agreement.Agree }

func (r *actResult) print(w io.Writer) {
	fmt.Fprintf(w, "actsync-bench: activities-only run of %d activities (%s, %.1f MiB, seed %d) against %d people, %d rounds alternating, %d CPUs, DuckDB default threads\n",
		r.Activities, r.Input, float64(r.InputBytes)/(1<<20), r.Seed, r.People, r.Rounds, r.CPUs)
	r.Agreement.print(w)
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "side          \tmedian s\tactivities/s\tpeak RSS MiB\truns s\t\n")
	for _, s := range r.Sides {
		fmt.Fprintf(tw, "%-14s\t%.3f\t%s\t%.1f\t%s\t\n", s.Name, s.MedianSeconds, thousands(s.PeoplePerSec), s.PeakRSSMiB, seconds(s.Seconds))
	}
	tw.Flush()
	fmt.Fprintf(w, "\nratio actsync/duckdb-sql (median wall): %.2f\n", r.Ratio)
	stages := slices.DeleteFunc(slices.Clone(r.Stages), func(s stageTime) bool { return s.MedianSeconds < 0.0005 })
	printStages(w, "actsync stages (median s; load/* and reconcile/* are parts of load)", stages, nil)
}
