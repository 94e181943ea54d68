package extract

import (
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/actsync/actsync/internal/pipelinetest"
)

// writeBenchCSV writes a Bulk Lead Extract style CSV of n people (REST
// header with an unknown leadScore column, null for empty fields, quoted
// commas, some non-ASCII names) and returns its path.
func writeBenchCSV(b *testing.B, n int) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "leads.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.Write([]string{"id", "firstName", "lastName", "email", "phone", "company", "title",
		"leadSource", "sfdcLeadId", "sfdcContactId", "sfdcAccountId", "sfdcOpptyId",
		"linkedInProfileURL", "sfdcLeadOwnerId", "sfdcContactOwnerId", "leadOwnerEmailAddress",
		"sfdcType", "unsubscribed", "updatedAt", "createdAt", "leadScore"})
	rng := rand.New(rand.NewPCG(1, 2))
	first := []string{"Olivia", "Marcus", "Sofia", "Jordan", "Priya", "Lukas", "민준", "Chloé", "José", "Ngozi"}
	last := []string{"Bennett", "Thompson", "Rossi", "Null", "Nair", "Müller", "김", "Dubois", "Álvarez", "Adeyemi"}
	companies := []string{"Northwind Traders", "Acme Widgets, Inc.", "Contoso Pharma", "Müller & Söhne GmbH", "The \"Blue Door\" Group", "Hanbit Cloud Co., Ltd."}
	titles := []string{"VP of Marketing", "VP, Sales", "Director of IT", "Data Analyst", "Head of Procurement", "CFO"}
	sources := []string{"Website", "Webinar", "Trade Show", "LinkedIn", "null"}
	owners := []string{"0055g00000Bq7HXAAZ", "0055g00000Cr2Lm", "0058a00000Tz4WkAAJ", "00G5g00000Xq1Rt", "null", ""}
	sfid := func(prefix string) string {
		if rng.IntN(3) == 0 {
			return "null"
		}
		const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
		b := []byte(prefix + "5g00000")
		for len(b) < 15 {
			b = append(b, chars[rng.IntN(len(chars))])
		}
		return string(b)
	}
	for i := range n {
		fn, ln := first[rng.IntN(len(first))], last[rng.IntN(len(last))]
		contact := rng.IntN(2) == 0
		typ, leadOwner, contactOwner := "Lead", owners[rng.IntN(len(owners))], "null"
		if contact {
			typ, leadOwner, contactOwner = "Contact", "null", owners[rng.IntN(len(owners))]
		}
		w.Write([]string{
			strconv.Itoa(1000 + i), fn, ln,
			fmt.Sprintf("%s.%s%d@example.com", fn, ln, i),
			fmt.Sprintf("+1415555%04d", rng.IntN(10000)),
			companies[rng.IntN(len(companies))], titles[rng.IntN(len(titles))],
			sources[rng.IntN(len(sources))],
			sfid("00Q"), sfid("003"), sfid("001"), sfid("006"),
			fmt.Sprintf("https://www.linkedin.com/in/person-%d", i),
			leadOwner, contactOwner, "null", typ,
			strconv.FormatBool(rng.IntN(10) == 0),
			fmt.Sprintf("2026-10-%02dT%02d:%02d:00Z", 1+rng.IntN(28), rng.IntN(24), rng.IntN(60)),
			"2025-03-14T09:12:00Z",
			strconv.Itoa(rng.IntN(100)),
		})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkExtractCSV reads a 200,000-row (about 50 MB) Bulk Extract CSV
// into RawSchema batches: open, parse, match, build, hash.
func BenchmarkExtractCSV(b *testing.B) {
	const n = 200_000
	benchExtract(b, writeBenchCSV(b, n), n)
}

// BenchmarkExtractFile reads the file named by $ACTSYNC_BENCH_FILE (for
// example an `actsync generate` export); it is skipped when the variable
// is unset.
func BenchmarkExtractFile(b *testing.B) {
	path := os.Getenv("ACTSYNC_BENCH_FILE")
	if path == "" {
		b.Skip("ACTSYNC_BENCH_FILE is not set")
	}
	benchExtract(b, path, -1)
}

// benchExtract reads the export at path to the end in each iteration,
// sequentially (Workers: 1) and split across GOMAXPROCS parsers, side by
// side, and reports rows/s. Unless want is negative, each read must yield
// want rows.
func benchExtract(b *testing.B, path string, want int) {
	srcs, err := Discover([]string{path})
	if err != nil {
		b.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name    string
		workers int
	}{
		{"sequential", 1},
		{fmt.Sprintf("parallel-%d", runtime.GOMAXPROCS(0)), 0},
	} {
		b.Run(bc.name, func(b *testing.B) {
			mem, ledger := pipelinetest.NewLedger(b)

			b.ReportAllocs()
			b.SetBytes(info.Size())
			total := 0
			for b.Loop() {
				r, err := Open(srcs[0], mem, ledger, Options{Workers: bc.workers})
				if err != nil {
					b.Fatal(err)
				}
				rows := 0
				for r.Next() {
					rows += int(r.RecordBatch().NumRows())
				}
				if err := r.Err(); err != nil {
					b.Fatal(err)
				}
				r.Release()
				if want >= 0 && rows != want {
					b.Fatalf("read %d rows, want %d", rows, want)
				}
				total += rows
			}
			b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
