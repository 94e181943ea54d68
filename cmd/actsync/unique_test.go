package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPeopleUniqueByConstruction checks what the people table's missing
// primary key leaves to the code (sql/schema/schema.sql): one row per marketo_id
// after every kind of run that can name a person again. Each run below
// would add a second row for someone if people/080_insert_people.sql inserted an id
// already in the table, or if filter let two rows of one id through.
func TestPeopleUniqueByConstruction(t *testing.T) {
	state := t.TempDir()
	dir := t.TempDir()
	// One id twice in a file and again in a second file of the same run;
	// a person excluded, then sales-ready again (reactivate).
	a := "id,email,sfdcLeadOwnerId,updatedAt,firstName\n" +
		"1,a@example.com,005000000000001AAA,2026-11-01T00:00:00Z,A\n" +
		"1,a@example.com,005000000000001AAA,2026-11-02T00:00:00Z,A2\n" +
		"2,b@example.com,005000000000001AAA,2026-11-01T00:00:00Z,B\n"
	b := "id,email,sfdcLeadOwnerId,updatedAt,firstName\n" +
		"1,a@example.com,005000000000001AAA,2026-11-01T12:00:00Z,A1\n" +
		"2,b@example.com,,2026-11-02T00:00:00Z,B\n" +
		"3,c@example.com,005000000000001AAA,2026-11-02T00:00:00Z,C\n"
	c := "id,email,sfdcLeadOwnerId,updatedAt,firstName\n" +
		"2,b@example.com,005000000000001AAA,2026-11-03T00:00:00Z,B\n" +
		"3,c@example.com,005000000000001AAA,2026-11-01T00:00:00Z,C-old\n"
	for name, body := range map[string]string{"a.csv": a, "b.csv": b, "c.csv": c} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p := func(name string) string { return filepath.Join(dir, name) }
	runs := [][]string{
		{"run", "--people", p("a.csv"), "--people", p("b.csv")},
		{"run", "--people", p("a.csv")}, // the same again
		{"run", "--people", p("c.csv")}, // reactivation and a stale row
		{"run", "--people", p("c.csv"), "--people", p("a.csv"), "--full", "--max-deactivate", "100"},
		{"run", "--people", "../../fixtures/people/day1"},
		{"run", "--people", "../../fixtures/people/day2"},
		{"run", "--people", "../../fixtures/people/day1"}, // an old export after a newer one
	}
	for i, args := range runs {
		runOK(t, append(args, "--state", state)...)
		got := queryState(t, state, "SELECT count(*) || ' rows, ' || count(DISTINCT marketo_id) || ' ids' FROM people")
		if n := queryState(t, state, "SELECT count(*) - count(DISTINCT marketo_id) FROM people"); n[0] != "0" {
			t.Fatalf("after run %d (%v): people has %s", i+1, args, got[0])
		}
	}
}
