package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/internal/pipelinetest"
)

func TestDateIn(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" for none
	}{
		{"2026-11-03", "2026-11-03"},
		{"leads-20261101.csv", "2026-11-01"},
		{"export_2026-11-02T0400.csv", "2026-11-02"},
		{"day1", ""},
		{"2026-13-45", ""},                         // not a date
		{"id-1234567890.csv", ""},                  // digits inside a longer run
		{"2026-11-01_to_2026-11-07", "2026-11-07"}, // the last date wins
		{"20261131", ""},                           // 31 November
	}
	for _, tt := range tests {
		d, ok := dateIn(tt.in)
		got := ""
		if ok {
			got = d.Format(time.DateOnly)
		}
		if got != tt.want {
			t.Errorf("dateIn(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFindExports(t *testing.T) {
	const header = "id,email,sfdcLeadOwnerId,updatedAt\n"
	files := map[string]string{
		// A dated directory: one export of two files.
		"2026-11-03/leads.csv":    header + "1,a@example.com,005000000000001AAA,2026-11-02T10:00:00Z\n",
		"2026-11-03/contacts.csv": header + "2,b@example.com,005000000000001AAA,2026-11-02T11:00:00Z\n",
		// Dated files sharing a directory: one export per date.
		"daily/20261101-leads.csv":    header + "3,c@example.com,005000000000001AAA,2026-10-31T09:00:00Z\n",
		"daily/20261101-contacts.csv": header + "4,d@example.com,005000000000001AAA,2026-10-31T09:30:00Z\n",
		"daily/20261104-leads.csv":    header + "5,e@example.com,005000000000001AAA,2026-11-03T09:00:00Z\n",
		// Undated: placed by the newest updatedAt inside.
		"late/export.csv": header + "6,f@example.com,005000000000001AAA,2026-11-02T05:00:00Z\n" +
			"7,g@example.com,005000000000001AAA,2026-10-01T05:00:00Z\n",
		// Hidden files are not inputs.
		".partial/2026-11-09.csv": header,
	}
	root := t.TempDir()
	for name, body := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	exports, err := FindExports(root, mem)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range exports {
		var names []string
		for i, s := range e.Sources {
			if s.Index != int32(i) {
				t.Errorf("%s: source %d has Index %d", e.Name, i, s.Index)
			}
			rel, _ := filepath.Rel(root, s.Path)
			names = append(names, filepath.ToSlash(rel))
		}
		got = append(got, e.Name+" "+e.AsOf.Format(time.RFC3339)+" "+e.AsOfFrom+" "+strings.Join(names, ","))
	}
	want := []string{
		"daily/2026-11-01 2026-11-01T00:00:00Z path daily/20261101-contacts.csv,daily/20261101-leads.csv",
		"late/export.csv 2026-11-02T05:00:00Z updatedAt late/export.csv",
		"2026-11-03 2026-11-03T00:00:00Z path 2026-11-03/contacts.csv,2026-11-03/leads.csv",
		"daily/2026-11-04 2026-11-04T00:00:00Z path daily/20261104-leads.csv",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("exports:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestFindExportsUndatable(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "export.csv"), []byte("id,email,sfdcLeadOwnerId,updatedAt\n1,a@example.com,005000000000001AAA,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	_, err := FindExports(root, mem)
	if err == nil || !strings.Contains(err.Error(), "export.csv: no date in its path and no readable updatedAt") {
		t.Fatalf("err = %v, want one naming the file and the cause", err)
	}
}

// FuzzDateIn: dateIn never panics, and a date it finds is written in the
// input in one of the two accepted forms, not inside a longer digit run.
func FuzzDateIn(f *testing.F) {
	for _, s := range []string{"2026-11-03", "leads-20261101.csv", "2026-13-45", "x20261301y", "1999-12-31_2000-01-01", "٢٠٢٦-١١-٠٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := dateIn(s)
		if !ok {
			return
		}
		dashed, plain := d.Format(time.DateOnly), d.Format("20060102")
		isDigit := func(k int) bool { return k >= 0 && k < len(s) && s[k] >= '0' && s[k] <= '9' }
		// Some occurrence of the date, either spelling, must stand clear
		// of other digits (another occurrence may sit inside a longer run).
		seen, clear := false, false
		for _, w := range []string{dashed, plain} {
			for i := 0; i+len(w) <= len(s); i++ {
				if s[i:i+len(w)] == w {
					seen = true
					clear = clear || (!isDigit(i-1) && !isDigit(i+len(w)))
				}
			}
		}
		if !seen {
			t.Fatalf("dateIn(%q) = %s, which is not in the input", s, dashed)
		}
		if !clear {
			t.Fatalf("dateIn(%q) = %s, found inside a longer run of digits", s, dashed)
		}
	})
}

func TestIsActivityExport(t *testing.T) {
	gz := func(s string) string { return string(pipelinetest.Gzip(t, []byte(s))) }
	tests := []struct {
		name, file, body string
		want             bool
	}{
		{"bulk activity csv", "a.csv", "marketoGUID,leadId,activityDate,activityTypeId,campaignId\n1,2,3,4,5\n", true},
		{"quoted header", "a.csv", "\ufeff\"marketoGUID\",\"Activity Type ID\"\n", true},
		{"quoted comma in a header", "a.csv", "\"Lead, Name\",marketoGUID,activityTypeId\n", true},
		{"csv with a tab header", "a.csv", "marketoGUID\tactivityTypeId\n", true},
		{"tsv", "a.tsv", "\nmarketoGUID\tactivityTypeId\n", true},
		{"gzip", "a.csv.gz", gz("marketoGUID,activityTypeId\n"), true},
		{"rest jsonl", "a.jsonl", `{"marketoGUID":"1","activityTypeId":6}` + "\n", true},
		{"person csv", "p.csv", "id,email,sfdcLeadOwnerId,updatedAt\n", false},
		{"person jsonl", "p.jsonl", `{"id":1,"email":"a@example.com"}` + "\n", false},
		{"not json", "p.jsonl", "nope\n", false},
		{"empty", "p.csv", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.file)
			if err := os.WriteFile(path, []byte(tt.body), 0o600); err != nil {
				t.Fatal(err)
			}
			srcs, err := Discover([]string{path})
			if err != nil {
				t.Fatal(err)
			}
			got, err := IsActivityExport(srcs[0])
			if err != nil || got != tt.want {
				t.Errorf("IsActivityExport = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}
