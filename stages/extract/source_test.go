package extract

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/actsync/actsync/internal/pipelinetest"
)

const tinyCSV = "id,email,sfdcLeadOwnerId\n1,a@x,O\n"

// discoverTree lays out a directory of exports with the things a walk must
// skip or order.
func discoverTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range map[string]string{
		"b-leads.csv":            tinyCSV,
		"a-contacts.tsv":         "id\temail\tsfdcLeadOwnerId\n1\ta@x\tO\n",
		"c/web.jsonl":            `{"id": 1}` + "\n",
		"c/nested/full.CSV.GZ":   tinyCSV, // found by name; content checked at Open
		"d.parquet":              "PAR1",
		".hidden.csv":            tinyCSV,
		".git/objects/x.csv":     tinyCSV,
		"c/.cache/old.csv":       tinyCSV,
		"README.md":              "# exports\n",
		"notes":                  "no extension\n",
		"leads.xlsx":             "PK",
		"b-leads.csv.bak":        tinyCSV,
		"e.ndjson":               "{}\n",
		"f.tab":                  tinyCSV,
		"g.txt":                  tinyCSV,
		"h.json":                 "{}\n",
		"i.pq":                   "PAR1",
		"j.tsv.gz":               "",
		"k.jsonl.gz":             "",
		"nested-empty/.keep.csv": tinyCSV,
		// .txt is taken only with a known header: a licence
		// or notes beside the exports are skipped and listed.
		"LICENSE.txt":      "                                 Apache License\n",
		"README.txt":       "Exports, one a day, as Marketo wrote them\n",
		"m-activities.txt": "marketoGUID\tleadId\tactivityDate\tactivityTypeId\n",
		"n-people.txt.gz":  string(pipelinetest.Gzip(t, []byte("\ufeff\"Email Address\",\"Marketo ID\"\n"))),
		"o.parquet.gz":     "",
	} {
		pipelinetest.WriteFile(t, dir, name, []byte(data))
	}
	return dir
}

func rel(t *testing.T, dir string, srcs []Source) []Source {
	t.Helper()
	out := make([]Source, len(srcs))
	for i, s := range srcs {
		r, err := filepath.Rel(dir, s.Path)
		if err != nil {
			t.Fatal(err)
		}
		s.Path = filepath.ToSlash(r)
		out[i] = s
	}
	return out
}

// TestDiscover covers directories, globs and files, in the order and with
// the formats Discover gives them.
func TestDiscover(t *testing.T) {
	dir := discoverTree(t)
	tests := []struct {
		name     string
		patterns []string // relative to dir
		want     []Source // paths relative to dir
		wantErr  string
		noInput  bool     // errors.Is(err, ErrNoInput)
		skipped  []string // DiscoverAll's skipped files, relative to dir
	}{{
		name:     "directory: sorted, recursive, hidden and unknown extensions skipped",
		patterns: []string{"."},
		want: []Source{
			{Path: "a-contacts.tsv", Format: TSV, Index: 0},
			{Path: "b-leads.csv", Format: CSV, Index: 1},
			{Path: "c/nested/full.CSV.GZ", Format: CSV, Gzip: true, Index: 2},
			{Path: "c/web.jsonl", Format: JSONL, Index: 3},
			{Path: "d.parquet", Format: Parquet, Index: 4},
			{Path: "e.ndjson", Format: JSONL, Index: 5},
			{Path: "f.tab", Format: TSV, Index: 6},
			{Path: "g.txt", Format: CSV, Index: 7},
			{Path: "h.json", Format: JSONL, Index: 8},
			{Path: "i.pq", Format: Parquet, Index: 9},
			{Path: "j.tsv.gz", Format: TSV, Gzip: true, Index: 10},
			{Path: "k.jsonl.gz", Format: JSONL, Gzip: true, Index: 11},
			{Path: "m-activities.txt", Format: CSV, Index: 12},
			{Path: "n-people.txt.gz", Format: CSV, Gzip: true, Index: 13},
		},
		skipped: []string{
			"LICENSE.txt: a .txt file whose first line is not a known header",
			"README.md: not an export extension",
			"README.txt: a .txt file whose first line is not a known header",
			"b-leads.csv.bak: not an export extension",
			"leads.xlsx: not an export extension",
			"notes: not an export extension",
			"o.parquet.gz: gzip Parquet is not read: Parquet compresses inside the file",
		},
	}, {
		name:     "a .txt named explicitly is read whatever its header",
		patterns: []string{"LICENSE.txt"},
		want:     []Source{{Path: "LICENSE.txt", Format: CSV, Index: 0}},
	}, {
		name:     "subdirectory",
		patterns: []string{"c"},
		want: []Source{
			{Path: "c/nested/full.CSV.GZ", Format: CSV, Gzip: true, Index: 0},
			{Path: "c/web.jsonl", Format: JSONL, Index: 1},
		},
	}, {
		name:     "glob",
		patterns: []string{"*.csv"},
		want:     []Source{{Path: "b-leads.csv", Format: CSV, Index: 0}},
	}, {
		name:     "glob over directories",
		patterns: []string{"c/*"},
		want: []Source{
			{Path: "c/nested/full.CSV.GZ", Format: CSV, Gzip: true, Index: 0},
			{Path: "c/web.jsonl", Format: JSONL, Index: 1},
		},
	}, {
		name:     "glob naming hidden files with a dot",
		patterns: []string{".*.csv", "c/.cache/*.csv", "./c/../c/.cache/*.csv"},
		wantErr:  "given more than once", // the third is the second again
	}, {
		name:     "glob naming hidden files and directories with a dot",
		patterns: []string{".*.csv", "./c/.*/*.csv"},
		want: []Source{
			{Path: ".hidden.csv", Format: CSV, Index: 0},
			{Path: "c/.cache/old.csv", Format: CSV, Index: 1},
		},
	}, {
		name:     "files keep the order given; Index runs across patterns",
		patterns: []string{"g.txt", "a-contacts.tsv", "c"},
		want: []Source{
			{Path: "g.txt", Format: CSV, Index: 0},
			{Path: "a-contacts.tsv", Format: TSV, Index: 1},
			{Path: "c/nested/full.CSV.GZ", Format: CSV, Gzip: true, Index: 2},
			{Path: "c/web.jsonl", Format: JSONL, Index: 3},
		},
	}, {
		name:     "a hidden file named explicitly is read",
		patterns: []string{".hidden.csv"},
		want:     []Source{{Path: ".hidden.csv", Format: CSV, Index: 0}},
	}, {
		name:     "an explicit file with no known extension is sniffed",
		patterns: []string{"notes", "leads.xlsx"},
		want: []Source{
			{Path: "notes", Format: CSV, Index: 0},
			{Path: "leads.xlsx", Format: CSV, Index: 1},
		},
	}, {
		name:     "pattern matching nothing",
		patterns: []string{"*.parquet", "nothing-*.csv"},
		wantErr:  "nothing-*.csv: matches no input file",
		noInput:  true,
	}, {
		name:     "missing file",
		patterns: []string{"missing.csv"},
		wantErr:  "missing.csv: matches no input file",
		noInput:  true,
	}, {
		name:     "directory with no known file",
		patterns: []string{"nested-empty"},
		wantErr:  "matches no input file",
		noInput:  true,
	}, {
		name:     "file given twice",
		patterns: []string{"b-leads.csv", "./b-leads.csv"},
		wantErr:  "given more than once",
	}, {
		name:     "file given and found in a directory",
		patterns: []string{"c/web.jsonl", "c"},
		wantErr:  "given more than once",
	}, {
		name:     "bad glob",
		patterns: []string{"[.csv"},
		wantErr:  "syntax error in pattern",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var patterns []string
			for _, p := range tt.patterns {
				patterns = append(patterns, filepath.Join(dir, p))
			}
			got, skipped, err := DiscoverAll(patterns)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Discover = %v, want error %q", rel(t, dir, got), tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error = %q, want it to contain %q", err, tt.wantErr)
				}
				var fe *FileError
				if !errors.As(err, &fe) {
					t.Errorf("error %T is not a *FileError", err)
				}
				if is := errors.Is(err, ErrNoInput); is != tt.noInput {
					t.Errorf("errors.Is(err, ErrNoInput) = %v, want %v", is, tt.noInput)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := rel(t, dir, got); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Discover:\ngot  %+v\nwant %+v", got, tt.want)
			}
			var gotSkipped []string
			for _, s := range skipped {
				r, _ := filepath.Rel(dir, s.Path)
				gotSkipped = append(gotSkipped, filepath.ToSlash(r)+": "+s.Reason)
			}
			if !reflect.DeepEqual(gotSkipped, tt.skipped) {
				t.Errorf("skipped:\ngot  %q\nwant %q", gotSkipped, tt.skipped)
			}
		})
	}
}

// TestDiscoverSniff checks the formats of explicitly named files with no
// known extension, told from their first bytes.
func TestDiscoverSniff(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name   string
		data   []byte
		format Format
		gzip   bool
	}{
		{"csv", []byte(tinyCSV), CSV, false},
		{"json lines", []byte(`{"id": 1}`), JSONL, false},
		{"json lines after a BOM and blank lines", []byte("\ufeff\r\n  {\"id\": 1}"), JSONL, false},
		{"json array", []byte("\n[\n  {\"id\": 1}\n]\n"), JSONL, false},
		{"gzip", pipelinetest.Gzip(t, []byte(tinyCSV)), CSV, true},
		{"parquet", []byte("PAR1...."), Parquet, false},
		{"empty", nil, CSV, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := pipelinetest.WriteFile(t, dir, strings.ReplaceAll(tt.name, " ", "_"), tt.data)
			got, err := Discover([]string{path})
			if err != nil {
				t.Fatal(err)
			}
			want := []Source{{Path: path, Format: tt.format, Gzip: tt.gzip}}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Discover = %+v, want %+v", got, want)
			}
		})
	}
}

// TestDiscoverUnreadable checks that an explicit file that cannot be read
// for sniffing fails with a *FileError. Root reads a file of mode 0, so
// that case runs only for other users; /proc/self/mem opens for anyone
// but reading its offset 0 (unmapped) fails, for root too, so the test
// never skips on CI machines that run as root.
func TestDiscoverUnreadable(t *testing.T) {
	tests := []struct {
		name string
		path func(t *testing.T) string // "" skips
	}{
		{"mode 0", func(t *testing.T) string {
			if os.Geteuid() == 0 {
				return ""
			}
			path := pipelinetest.WriteFile(t, t.TempDir(), "export", []byte(tinyCSV))
			if err := os.Chmod(path, 0); err != nil {
				t.Fatal(err)
			}
			return path
		}},
		{"unreadable for root too", func(t *testing.T) string {
			if _, err := os.Stat("/proc/self/mem"); err != nil {
				return ""
			}
			return "/proc/self/mem"
		}},
	}
	ran := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path(t)
			if path == "" {
				t.Skip("not possible for this user or system")
			}
			ran++
			_, err := Discover([]string{path})
			var fe *FileError
			if !errors.As(err, &fe) || fe.File != path {
				t.Errorf("Discover error = %v, want a *FileError for %s", err, path)
			}
		})
	}
	if ran == 0 && runtime.GOOS == "linux" {
		t.Error("no case ran on Linux")
	}
}

// TestDiscoverSameFileTwoSpellings checks that a file given once relative
// and once absolute is still given twice.
func TestDiscoverSameFileTwoSpellings(t *testing.T) {
	dir := t.TempDir()
	abs := pipelinetest.WriteFile(t, dir, "leads.csv", []byte(tinyCSV))
	t.Chdir(dir)
	_, err := Discover([]string{"leads.csv", abs})
	var fe *FileError
	if !errors.As(err, &fe) || fe.File != abs || !strings.Contains(err.Error(), "given more than once") {
		t.Errorf("Discover = %v, want a *FileError: %s given more than once", err, abs)
	}
	srcs, err := Discover([]string{"leads.csv"})
	if err != nil || len(srcs) != 1 || srcs[0].Path != "leads.csv" {
		t.Errorf("Discover(relative) = %+v, %v; want the path as given", srcs, err)
	}
}
