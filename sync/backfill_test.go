package sync

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestBackfillProgress: Backfill tells its caller about each export in
// date order, a rerun skips both naming their runs, and ListBackfill on a
// missing state lists them as pending without creating it. The two files
// have the same size and differ in content: the second is applied, not
// taken for the first.
func TestBackfillProgress(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	inbox := filepath.Join(dir, "inbox")
	for _, date := range []string{"2026-11-02", "2026-11-01"} {
		path := filepath.Join(inbox, date, "people.csv")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		body := "id,email,sfdcLeadOwnerId,updatedAt\n1,a@example.com,005000000000001," + date + "T12:00:00Z\n"
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := Config{State: filepath.Join(dir, "state")}
	var got []string
	record := func(p BackfillProgress) {
		s := fmt.Sprintf("%d %s %d", p.Step, p.Exports[p.Index].Name, p.RunID)
		if p.Report != nil {
			s += fmt.Sprintf(" report %d", p.Report.RunID)
		}
		got = append(got, s)
	}

	if err := ListBackfill(ctx, cfg, inbox, record); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cfg.State); !os.IsNotExist(err) {
		t.Errorf("ListBackfill created the state: %v", err)
	}
	if err := Backfill(ctx, cfg, inbox, record); err != nil {
		t.Fatal(err)
	}
	if err := Backfill(ctx, cfg, inbox, record); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"3 2026-11-01 0", "3 2026-11-02 0", // pending
		"0 2026-11-01 0", "1 2026-11-01 1 report 1", "0 2026-11-02 0", "1 2026-11-02 2 report 2", // applying, applied
		"2 2026-11-01 1", "2 2026-11-02 2", // skipped
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("progress:\n%q\nwant\n%q", got, want)
	}
	if err := Backfill(ctx, cfg, filepath.Join(dir, "missing"), nil); err == nil {
		t.Error("Backfill of a missing directory succeeded")
	}
}
