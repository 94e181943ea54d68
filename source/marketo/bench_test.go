package marketo

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/actsync/actsync/internal/marketotest"
)

// BenchmarkLandLeads lands one 31-day window of 200,000 leads from the
// in-process server: create, enqueue, polls on the fake clock, download,
// sha256, record count, rename. The server renders the CSV too, so this is
// an upper bound on actsync's own cost per landed byte.
func BenchmarkLandLeads(b *testing.B) {
	clock := marketotest.NewFakeClock(t0.Add(40 * 24 * time.Hour))
	srv := marketotest.New(clock)
	defer srv.Close()
	for i := range 200_000 {
		at := t0.Add(time.Duration(i) * 13 * time.Second)
		srv.Leads = append(srv.Leads, marketotest.Lead{
			"id": strconv.Itoa(1_000_000 + i), "firstName": "Olivia", "lastName": fmt.Sprintf("Bennett%d", i),
			"email": fmt.Sprintf("olivia.bennett%d@example.com", i), "phone": "+14155550134", "company": "Northwind Traders",
			"title": "VP of Marketing", "leadSource": "Website", "sfdcLeadId": "00Q5g00000DkT3a",
			"linkedInProfileURL": "https://www.linkedin.com/in/olivia-bennett-4a7b21", "sfdcLeadOwnerId": "0055g00000Bq7HXAAZ",
			"sfdcType": "Lead", "unsubscribed": "false", "updatedAt": at.Format(time.RFC3339),
		})
	}
	c := NewClient(Config{BaseURL: srv.URL, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret}, srv.Client(), clock)
	b.ReportAllocs()
	for b.Loop() {
		out, err := Land(context.Background(), c, Request{Dir: b.TempDir(), People: true, Since: t0, Until: t0.Add(31 * 24 * time.Hour)})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		_, size, n, _ := scanFile(out.People[0])
		if n != 200_000 {
			b.Fatalf("%d records", n)
		}
		b.SetBytes(size)
		b.StartTimer()
	}
}

// BenchmarkVerify is the client's own cost per landed file beyond the
// download: sha256 and the CSV record count of a ~50 MB leads export.
func BenchmarkVerify(b *testing.B) {
	clock := marketotest.NewFakeClock(t0.Add(40 * 24 * time.Hour))
	srv := marketotest.New(clock)
	defer srv.Close()
	fixture(srv)
	base := srv.Leads[0]
	srv.Leads = srv.Leads[:0]
	for i := range 200_000 {
		l := marketotest.Lead{}
		for k, v := range base {
			l[k] = v
		}
		l["id"], l["updatedAt"] = strconv.Itoa(i+1), t0.Add(time.Duration(i)*13*time.Second).Format(time.RFC3339)
		l["linkedInProfileURL"] = "https://www.linkedin.com/in/olivia-bennett-4a7b21"
		srv.Leads = append(srv.Leads, l)
	}
	c := NewClient(Config{BaseURL: srv.URL, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret}, srv.Client(), clock)
	out, err := Land(context.Background(), c, Request{Dir: b.TempDir(), People: true, Since: t0, Until: t0.Add(31 * 24 * time.Hour)})
	if err != nil {
		b.Fatal(err)
	}
	_, size, _ := fileSum(out.People[0])
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, n, err := scanFile(out.People[0]); err != nil || n != 200_000 {
			b.Fatal(n, err)
		}
	}
}
