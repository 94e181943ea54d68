package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	actstate "github.com/actsync/actsync/state"
)

// TestEraseLeavesNothing erases two people (one with a unique email and a
// field-level reject, one in a duplicate-email group) from a state with
// people, activities and snapshots of several runs, and looks for them in
// every table, every Parquet file and the raw bytes of every file.
func TestEraseLeavesNothing(t *testing.T) {
	state := t.TempDir()
	for _, r := range append(activityRuns, fixtureDays[2]) {
		runOK(t, append(r, "--state", state)...)
	}
	// What identifies them: ids, emails, names, phone numbers.
	traces := []string{"ethan.clarke@example.com", "Clarke", "+16175550110", "Liu", "+16465550123", "ethan-clarke-procurement"}
	if n := countTraces(t, state, traces, []string{"1006", "1009"}); n == 0 {
		t.Fatal("the people to erase are not in the state: the test proves nothing")
	}

	out := runOK(t, "erase", "--state", state, "--marketo-id", "1006", "--marketo-id", "1009")
	if !strings.HasPrefix(out, "erased 2 of 2 requested people: ") {
		t.Errorf("erase output: %q", out)
	}
	if n := countTraces(t, state, traces, []string{"1006", "1009"}); n != 0 {
		t.Errorf("%d traces of the erased people remain", n)
	}
	// The raw bytes of every file, the database included (checkpointed).
	filepath.WalkDir(state, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Error(err)
			return nil
		}
		for _, s := range traces {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s still holds %q", path, s)
			}
		}
		return nil
	})
	// The duplicate group of ap@globex.example.org keeps its other two
	// where it had three; where it had two, it is no longer a group.
	got := runOK(t, "query", "--state", state, "--format", "csv",
		"SELECT run_id, person_count, marketo_ids FROM duplicate_emails WHERE email_key = 'ap@globex.example.org' ORDER BY run_id")
	if want := "run_id,person_count,marketo_ids\n1,2,\"[1010, 1032]\"\n4,2,\"[1010, 1032]\"\n"; got != want {
		t.Errorf("duplicate_emails after erase:\n%s\nwant\n%s", got, want)
	}
	// The erasure is recorded without the ids, auditable with the salt.
	rec := runOK(t, "query", "--state", state, "--format", "csv",
		"SELECT people, len(id_hashes), id_hashes[1], id_hashes[2], (SELECT salt FROM erasure_salt) FROM erasures")
	fields := strings.Split(strings.Split(rec, "\n")[1], ",")
	if len(fields) != 5 || fields[0] != "2" || fields[1] != "2" ||
		fields[2] != actstate.ErasureHash(fields[4], "1006") || fields[3] != actstate.ErasureHash(fields[4], "1009") {
		t.Errorf("erasures row: %q", rec)
	}
	// Snapshots and tables still agree, and the state still works.
	checkAgreement(t, state)
	runOK(t, "status", "--state", state)
	runOK(t, "run", "--state", state, "--people", "../../fixtures/people/day2")
}

// countTraces counts rows of every table and every snapshot file that hold
// one of the ids in an id column or one of the strings anywhere.
func countTraces(t *testing.T, state string, traces, ids []string) int {
	t.Helper()
	var like []string
	for _, s := range traces {
		like = append(like, "CAST(x AS VARCHAR) LIKE '%"+s+"%'")
	}
	idList := "[" + strings.Join(ids, ", ") + "]"
	var sources []string
	for _, tbl := range queryState(t, state, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_catalog = current_database()") {
		sources = append(sources, `"`+tbl+`"`)
	}
	files, _ := filepath.Glob(filepath.Join(state, "snapshots", "*", "*", "*.parquet"))
	for _, f := range files {
		sources = append(sources, "read_parquet('"+f+"', hive_partitioning = false)")
	}
	total := 0
	for _, src := range sources {
		cols := map[string]bool{}
		for _, c := range queryState(t, state, "SELECT column_name FROM (DESCRIBE SELECT * FROM "+src+")") {
			cols[c] = true
		}
		conds := append([]string(nil), like...)
		for _, c := range []string{"marketo_id", "lead_id"} {
			if cols[c] {
				conds = append(conds, c+" IN "+strings.Trim(strings.ReplaceAll(idList, "[", "("), "]")+")")
			}
		}
		if cols["marketo_ids"] {
			conds = append(conds, "list_has_any(marketo_ids, "+idList+")")
		}
		n := queryState(t, state, "SELECT count(*)::VARCHAR FROM "+src+" AS x WHERE "+strings.Join(conds, " OR "))[0]
		if n != "0" {
			t.Logf("%s: %s rows with a trace", src, n)
			var k int
			for _, ch := range n {
				k = k*10 + int(ch-'0')
			}
			total += k
		}
	}
	return total
}

func TestEraseUsage(t *testing.T) {
	for _, args := range [][]string{{"erase"}, {"erase", "--marketo-id", "x"}, {"erase", "--marketo-id", "-3"}} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, &stdout, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// TestEraseRemovesStaleRowRejects: a stale row of the person is a row the
// person was read from, so the field rejects of its line go with them.
func TestEraseRemovesStaleRowRejects(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	const header = "id,email,sfdcLeadId,sfdcLeadOwnerId,updatedAt\n"
	newer := filepath.Join(dir, "newer.csv")
	older := filepath.Join(dir, "older.csv")
	if err := os.WriteFile(newer, []byte(header+"7,a@example.com,,005000000000001,2026-11-05T00:00:00Z\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The older row carries a bad lead id: a field reject on line 2.
	if err := os.WriteFile(older, []byte(header+"7,a@example.com,not-an-id,005000000000001,2026-11-01T00:00:00Z\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	runOK(t, "run", "--state", state, "--people", newer)
	runOK(t, "run", "--state", state, "--people", older)
	count := func(q string) string { return queryState(t, state, q)[0] }
	if got := count("SELECT count(*)::VARCHAR FROM stale_rows WHERE marketo_id = 7") + "/" +
		count("SELECT count(*)::VARCHAR FROM rejects WHERE raw = 'not-an-id'"); got != "1/1" {
		t.Fatalf("stale rows/field rejects before erase = %s, want 1/1", got)
	}
	runOK(t, "erase", "--state", state, "--marketo-id", "7")
	if got := count("SELECT count(*)::VARCHAR FROM stale_rows") + "/" + count("SELECT count(*)::VARCHAR FROM rejects"); got != "0/0" {
		t.Errorf("stale rows/rejects after erase = %s, want 0/0", got)
	}
}
