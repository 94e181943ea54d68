package sql

import (
	"reflect"
	"strings"
	"testing"
)

func TestSequence(t *testing.T) {
	got := Sequence("finish")
	want := []string{"finish/010_run_exits", "finish/020_update_person_exits", "finish/030_mark_changed"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Sequence(finish) = %q, want %q", got, want)
	}
	for _, name := range got {
		Text(name) // panics if the name does not resolve
	}
}

func TestLabel(t *testing.T) {
	for name, want := range map[string]string{
		"people/060_changes":         "changes",
		"activities/activity_counts": "activity_counts",
		"schema/schema":              "schema",
	} {
		if got := Label(name); got != want {
			t.Errorf("Label(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestCheckArgs(t *testing.T) {
	args := map[string][]any{"run_exits": nil, "update_person_exits": nil, "mark_changed": nil}
	if err := CheckArgs("finish", args); err != nil {
		t.Fatal(err)
	}
	delete(args, "mark_changed")
	if CheckArgs("finish", args) == nil {
		t.Error("a statement without arguments passed")
	}
	args["mark_changed"], args["other"] = nil, nil
	if CheckArgs("finish", args) == nil {
		t.Error("arguments for no statement passed")
	}
}

func TestCopyStatement(t *testing.T) {
	for _, tc := range []struct{ query, want string }{
		{"SELECT 1;\n", "COPY (\nSELECT 1\n) TO 'out.parquet' (FORMAT parquet)"},
		{"SELECT 1 -- trailing comment\n", "COPY (\nSELECT 1 -- trailing comment\n) TO 'out.parquet' (FORMAT parquet)"},
	} {
		if got := CopyStatement(tc.query, "out.parquet"); got != tc.want {
			t.Errorf("CopyStatement(%q) = %q, want %q", tc.query, got, tc.want)
		}
	}
	if got := CopyStatement("SELECT 1", "it's.parquet"); !strings.HasSuffix(got, "TO 'it''s.parquet' (FORMAT parquet)") {
		t.Errorf("path not quoted: %s", got)
	}
}
