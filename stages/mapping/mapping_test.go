package mapping_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/actsync/actsync/internal/pipelinetest"
	"github.com/actsync/actsync/pipeline"
	"github.com/actsync/actsync/stages/mapping"
)

// rawRow is one input row as extract yields it (pipeline.RawSchema). An
// empty string is NULL: extract never yields an empty value.
type rawRow struct {
	ID           int64  `column:"marketo_id"`
	First        string `column:"first_name"`
	Last         string `column:"last_name"`
	Email        string `column:"email"`
	Phone        string `column:"phone"`
	Company      string `column:"company"`
	Title        string `column:"title"`
	LinkedIn     string `column:"linkedin_url"`
	Source       string `column:"source"`
	Lead         string `column:"sfdc_lead_id"`
	Contact      string `column:"sfdc_contact_id"`
	Account      string `column:"sfdc_account_id"`
	Opportunity  string `column:"sfdc_opportunity_id"`
	Owner        string `column:"sales_owner_id"`
	Type         string `column:"sfdc_type"`
	Unsubscribed string `column:"unsubscribed"`
	Updated      string `column:"updated_at"`
	Created      string `column:"created_at"`
	File         int32  `column:"source_file"`
	Line         int64  `column:"source_line"`
}

// rawBatch builds a pipeline.RawSchema batch; the caller releases it.
func rawBatch(t testing.TB, mem memory.Allocator, rows []rawRow) arrow.RecordBatch {
	t.Helper()
	return pipelinetest.Batch(t, mem, pipeline.RawSchema, rows)
}

// null is how a NULL renders in personRow.
const null = "<NULL>"

// personRow is one output row (pipeline.PersonSchema) rendered to Go
// values: text as is, the boolean as "true"/"false", the timestamp in RFC
// 3339 UTC with microseconds, and NULL as null.
type personRow struct {
	ID                                                  int64
	First, Last, Email, Phone, Company, Title, LinkedIn string
	Source, Lead, Contact, Account, Opportunity, Owner  string
	Type, Unsubscribed, Updated                         string
	File                                                int32
	Line                                                int64
}

func renderPeople(t testing.TB, b arrow.RecordBatch) []personRow {
	t.Helper()
	if !b.Schema().Equal(pipeline.PersonSchema) {
		t.Fatalf("schema = %s, want pipeline.PersonSchema", b.Schema())
	}
	out := make([]personRow, b.NumRows())
	for c, f := range b.Schema().Fields() {
		col := b.Column(c)
		for i := range out {
			p := &out[i]
			if col.IsNull(i) {
				if !f.Nullable {
					t.Errorf("row %d: NULL in non-nullable %s", i, f.Name)
				}
			}
			var s string
			switch a := col.(type) {
			case *array.String:
				s = a.Value(i)
			case *array.Boolean:
				s = fmt.Sprint(a.Value(i))
			case *array.Timestamp:
				s = time.UnixMicro(int64(a.Value(i))).UTC().Format("2006-01-02T15:04:05.000000Z")
			}
			if col.IsNull(i) {
				s = null
			}
			switch f.Name {
			case pipeline.ColMarketoID:
				p.ID = col.(*array.Int64).Value(i)
			case pipeline.ColFile:
				p.File = col.(*array.Int32).Value(i)
			case pipeline.ColLine:
				p.Line = col.(*array.Int64).Value(i)
			case pipeline.ColFirstName:
				p.First = s
			case pipeline.ColLastName:
				p.Last = s
			case pipeline.ColEmail:
				p.Email = s
			case pipeline.ColPhone:
				p.Phone = s
			case pipeline.ColCompany:
				p.Company = s
			case pipeline.ColTitle:
				p.Title = s
			case pipeline.ColLinkedInURL:
				p.LinkedIn = s
			case pipeline.ColSource:
				p.Source = s
			case pipeline.ColSFDCLeadID:
				p.Lead = s
			case pipeline.ColSFDCContactID:
				p.Contact = s
			case pipeline.ColSFDCAccountID:
				p.Account = s
			case pipeline.ColSFDCOpportunityID:
				p.Opportunity = s
			case pipeline.ColSalesOwnerID:
				p.Owner = s
			case pipeline.ColSFDCType:
				p.Type = s
			case pipeline.ColMarketoUnsubscribed:
				p.Unsubscribed = s
			case pipeline.ColMarketoUpdatedAt:
				p.Updated = s
			default:
				t.Fatalf("unexpected column %s", f.Name)
			}
		}
	}
	return out
}

// reject is a ledger reject without its free-text detail.
type reject struct {
	File   int32  `column:"source_file"`
	Line   int64  `column:"source_line"`
	Reason string `column:"reason"`
	Field  string `column:"field"` // "" for a row-level reject
	Raw    string `column:"raw"`
}

// renderRejects reads a ledger's rejects, each of which must have a
// detail.
func renderRejects(t testing.TB, b arrow.RecordBatch) []reject {
	t.Helper()
	out := pipelinetest.Rows[reject](t, pipeline.RejectSchema, b)
	detail := b.Column(pipeline.RejectSchema.FieldIndices("detail")[0]).(*array.String)
	for i, r := range out {
		if detail.Value(i) == "" {
			t.Errorf("reject %+v has no detail", r)
		}
	}
	return out
}

// mapRows runs rows through a new Mapper as one batch and returns what it
// produced and rejected. Each call has its own checked allocator, checked
// when t ends.
func mapRows(t *testing.T, rows []rawRow) ([]personRow, []reject) {
	t.Helper()
	mem, ledger := pipelinetest.NewLedger(t)
	m := mapping.New(mem, ledger)
	in := rawBatch(t, mem, rows)
	defer in.Release()
	out, err := m.Process(context.Background(), in)
	if err != nil {
		t.Fatalf("Process: %v", err)
	}
	defer out.Release()
	if out.NumRows() != int64(len(rows)) {
		t.Fatalf("Process returned %d rows, want %d", out.NumRows(), len(rows))
	}
	rej := ledger.Rejects()
	defer rej.Release()
	if rows, _ := ledger.Counts(); len(rows) != 0 {
		t.Errorf("row-level rejects %v: map only drops fields", rows)
	}
	return renderPeople(t, out), renderRejects(t, rej)
}

func TestNormalizeSFDCID(t *testing.T) {
	tests := []struct {
		name string
		id   string
		want string
		ok   bool
	}{
		// Suffixes worked out by hand: per 5-character chunk, bit i is set
		// when character i is an upper-case letter; the 5-bit number
		// indexes "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345".
		{"well-known account", "0015000000VALDt", "0015000000VALDtAAP", true},         // 0, 0, 0b01111=15
		{"account with prefix letter", "001A0000006Vm9r", "001A0000006Vm9rIAC", true}, // 0b01000=8, 0, 0b00010=2
		{"account all-caps chunk", "001A000001ABCDE", "001A000001ABCDEIA5", true},     // 8, 0, 31
		{"lead", "00Q5f00000AbCdE", "00Q5f00000AbCdEEAV", true},                       // 0b00100=4, 0, 0b10101=21
		{"contact", "003xx000004TmiQ", "003xx000004TmiQAAS", true},                    // 0, 0, 0b10010=18
		{"custom object", "a0B3000000Fe1wP", "a0B3000000Fe1wPEAR", true},              // 4, 0, 0b10001=17
		{"user", "0055f000001AbCd", "0055f000001AbCdAAK", true},                       // 0, 0, 0b01010=10
		{"digits only", "005000000000000", "005000000000000AAA", true},
		{"all upper", "ABCDEFGHIJKLMNO", "ABCDEFGHIJKLMNO555", true},
		{"all lower", "abcdefghijklmno", "abcdefghijklmnoAAA", true},
		{"case matters", "0015000000valdt", "0015000000valdtAAA", true},
		{"18 kept", "0015000000VALDtAAP", "0015000000VALDtAAP", true},
		{"18 kept as is, suffix not checked", "0015000000VALDtZZZ", "0015000000VALDtZZZ", true},
		{"empty", "", "", false},
		{"too short", "001500", "", false},
		{"14", "0015000000VALD", "", false},
		{"16", "0015000000VALDtA", "", false},
		{"17", "0015000000VALDtAA", "", false},
		{"19", "0015000000VALDtAAPX", "", false},
		{"hyphen", "0015000000VALD-", "", false},
		{"space", "0015000000 ALDt", "", false},
		{"trailing space on 15", "0015000000VALD ", "", false},
		{"at sign", "rep@example.com", "", false},
		{"underscore in 18", "0015000000VALDt_AP", "", false},
		{"non-ASCII letter, 15 bytes", "0015000000VAL" + "é", "", false},
		{"NUL byte", "0015000000VALD\x00", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := mapping.NormalizeSFDCID(tt.id)
			if got != tt.want || ok != tt.ok {
				t.Errorf("NormalizeSFDCID(%q) = %q, %v; want %q, %v", tt.id, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

func FuzzNormalizeSFDCID(f *testing.F) {
	for _, s := range []string{
		"0015000000VALDt", "0015000000VALDtAAP", "001A0000006Vm9r", "abcdefghijklmno",
		"", "0015000000VALD-", "0015000000VAL" + "é", "rep@example.com", "00G5f000003QuEu",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		norm, ok := mapping.NormalizeSFDCID(id)
		wantOK := (len(id) == 15 || len(id) == 18) && isAlnum(id)
		if ok != wantOK {
			t.Fatalf("NormalizeSFDCID(%q) ok = %v, want %v", id, ok, wantOK)
		}
		if !ok {
			if norm != "" {
				t.Fatalf("NormalizeSFDCID(%q) = %q with ok false", id, norm)
			}
			return
		}
		if len(norm) != 18 || norm[:15] != id[:15] {
			t.Fatalf("NormalizeSFDCID(%q) = %q: want 18 characters starting with the input's first 15", id, norm)
		}
		if len(id) == 18 && norm != id {
			t.Fatalf("NormalizeSFDCID(%q) = %q: an 18-character id is kept", id, norm)
		}
		if again, ok := mapping.NormalizeSFDCID(norm); !ok || again != norm {
			t.Fatalf("NormalizeSFDCID(%q) = %q, %v: not idempotent", norm, again, ok)
		}
		// The suffix makes the 18-character form case-insensitively
		// unique: flipping the case of one letter changes it.
		if len(id) == 15 {
			for i := 0; i < 15; i++ {
				c := id[i]
				if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
					flipped := id[:i] + string(c^0x20) + id[i+1:]
					other, _ := mapping.NormalizeSFDCID(flipped)
					if norm[15:] == other[15:] {
						t.Fatalf("%q and %q share the suffix %q", id, flipped, norm[15:])
					}
					break
				}
			}
		}
	})
}

// full is a row with every column set to a valid value.
var full = rawRow{
	ID: 1001, First: "Ana", Last: "Lima", Email: "Ana.Lima@Example.com", Phone: "+1 555 0100",
	Company: "Acme, Inc.", Title: "VP Sales", LinkedIn: "https://www.linkedin.com/in/analima",
	Source: "Webinar", Lead: "00Q5f00000AbCdE", Contact: "003xx000004TmiQ",
	Account: "0015000000VALDt", Opportunity: "0065f000009OpPtAAK", Owner: "0055f000001AbCd",
	Type: "Contact", Unsubscribed: "false", Updated: "2024-05-06T07:08:09Z",
	Created: "2023-01-01T00:00:00Z", File: 2, Line: 17,
}

func TestMapperProcess(t *testing.T) {
	rows := []rawRow{
		full,
		{
			// 18-character ids kept, owner as email kept, NULLs stay NULL
			// without a reject.
			ID: 1002, Email: "b@example.com", Lead: "00Q5f00000AbCdEEAV", Owner: "Rep@Example.com",
			Type: "Lead", File: 0, Line: 2,
		},
		{
			// Invalid ids: NULL and one field reject each; the person goes on.
			ID: 1003, First: "Bo", Lead: "00Q123", Contact: "003xx00000-TmiQ", Account: "0015000000VALDtA",
			Opportunity: "0065f000009OpPt", Owner: "0055f000002XyZwAAI", Unsubscribed: "maybe",
			Updated: "last tuesday", File: 1, Line: 9,
		},
	}
	want := []personRow{
		{
			ID: 1001, First: "Ana", Last: "Lima", Email: "Ana.Lima@Example.com", Phone: "+1 555 0100",
			Company: "Acme, Inc.", Title: "VP Sales", LinkedIn: "https://www.linkedin.com/in/analima",
			Source: "Webinar", Lead: "00Q5f00000AbCdEEAV", Contact: "003xx000004TmiQAAS",
			Account: "0015000000VALDtAAP", Opportunity: "0065f000009OpPtAAK", Owner: "0055f000001AbCdAAK",
			Type: "Contact", Unsubscribed: "false", Updated: "2024-05-06T07:08:09.000000Z", File: 2, Line: 17,
		},
		{
			ID: 1002, First: null, Last: null, Email: "b@example.com", Phone: null, Company: null,
			Title: null, LinkedIn: null, Source: null, Lead: "00Q5f00000AbCdEEAV", Contact: null,
			Account: null, Opportunity: null, Owner: "Rep@Example.com", Type: "Lead",
			Unsubscribed: null, Updated: null, File: 0, Line: 2,
		},
		{
			ID: 1003, First: "Bo", Last: null, Email: null, Phone: null, Company: null, Title: null,
			LinkedIn: null, Source: null, Lead: null, Contact: null, Account: null,
			Opportunity: "0065f000009OpPtAAK", Owner: "0055f000002XyZwAAI", Type: null,
			Unsubscribed: null, Updated: null, File: 1, Line: 9,
		},
	}
	wantRejects := []reject{
		{1, 9, pipeline.ReasonInvalidSFDCID, pipeline.ColSFDCLeadID, "00Q123"},
		{1, 9, pipeline.ReasonInvalidSFDCID, pipeline.ColSFDCContactID, "003xx00000-TmiQ"},
		{1, 9, pipeline.ReasonInvalidSFDCID, pipeline.ColSFDCAccountID, "0015000000VALDtA"},
		{1, 9, pipeline.ReasonInvalidBoolean, pipeline.ColUnsubscribed, "maybe"},
		{1, 9, pipeline.ReasonInvalidUpdatedAt, pipeline.ColUpdatedAt, "last tuesday"},
	}
	got, rejects := mapRows(t, rows)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	sortRejects := func(r []reject) {
		slices.SortFunc(r, func(a, b reject) int {
			if c := int(a.Line - b.Line); c != 0 {
				return c
			}
			if a.Field < b.Field {
				return -1
			}
			if a.Field > b.Field {
				return 1
			}
			return 0
		})
	}
	sortRejects(rejects)
	sortRejects(wantRejects)
	if !slices.Equal(rejects, wantRejects) {
		t.Errorf("rejects:\n got %+v\nwant %+v", rejects, wantRejects)
	}
}

// Columns that need no work are the input's arrays, not copies.
func TestMapperPassThroughShares(t *testing.T) {
	mem, ledger := pipelinetest.NewLedger(t)
	in := rawBatch(t, mem, []rawRow{full, {ID: 7, File: 0, Line: 3}})
	defer in.Release()
	out, err := mapping.New(mem, ledger).Process(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	passed := []string{
		pipeline.ColMarketoID, pipeline.ColFirstName, pipeline.ColLastName, pipeline.ColEmail,
		pipeline.ColPhone, pipeline.ColCompany, pipeline.ColTitle, pipeline.ColLinkedInURL,
		pipeline.ColSource, pipeline.ColSFDCType, pipeline.ColFile, pipeline.ColLine,
	}
	for _, name := range passed {
		o := out.Column(pipeline.PersonSchema.FieldIndices(name)[0])
		if o != in.Column(pipeline.RawIndex(name)) {
			t.Errorf("%s was copied, want the input array", name)
		}
	}
}

func TestMapOwner(t *testing.T) {
	tests := []struct {
		name, owner, want string
	}{
		{"15-char user id", "0055f000001AbCd", "0055f000001AbCdAAK"},
		{"18-char user id", "0055f000001AbCdAAK", "0055f000001AbCdAAK"},
		{"email kept", "Rep.One@Example.com", "Rep.One@Example.com"},
		{"not an id kept", "Jane Doe", "Jane Doe"},
		{"16 chars kept", "0055f000001AbCdA", "0055f000001AbCdA"},
		{"NULL", "", null},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rejects := mapRows(t, []rawRow{{ID: 1, Owner: tt.owner, File: 0, Line: 2}})
			if got[0].Owner != tt.want {
				t.Errorf("owner %q mapped to %q, want %q", tt.owner, got[0].Owner, tt.want)
			}
			if len(rejects) != 0 {
				t.Errorf("owner %q rejected: %+v", tt.owner, rejects)
			}
		})
	}
}

func TestMapUnsubscribed(t *testing.T) {
	tests := []fieldCase{
		{"true", "true", false},
		{"TRUE", "true", false},
		{"True", "true", false},
		{"1", "true", false},
		{"yes", "true", false},
		{"Yes", "true", false},
		{"y", "true", false},
		{"t", "true", false},
		{"false", "false", false},
		{"FALSE", "false", false},
		{"0", "false", false},
		{"no", "false", false},
		{"NO", "false", false},
		{"n", "false", false},
		{"f", "false", false},
		{"", null, false},
		{"garbage", null, true},
		{"2", null, true},
		{"yess", null, true},
		{"unsubscribed", null, true},
	}
	checkField(t, pipeline.ColUnsubscribed, pipeline.ReasonInvalidBoolean, tests,
		func(raw string) rawRow { return rawRow{ID: 1, Unsubscribed: raw, File: 3, Line: 44} },
		func(p personRow) string { return p.Unsubscribed })
}

func TestMapUpdatedAt(t *testing.T) {
	tests := []fieldCase{
		{"2024-05-06T07:08:09Z", "2024-05-06T07:08:09.000000Z", false},
		{"2024-05-06T07:08:09+0000", "2024-05-06T07:08:09.000000Z", false},
		{"2024-05-06T09:08:09+02:00", "2024-05-06T07:08:09.000000Z", false},
		{"2024-05-06T02:08:09-0500", "2024-05-06T07:08:09.000000Z", false},
		{"2024-05-06 07:08:09", "2024-05-06T07:08:09.000000Z", false},
		{"2024-05-06T07:08:09.123456Z", "2024-05-06T07:08:09.123456Z", false},
		{"2024-05-06T07:08:09.5Z", "2024-05-06T07:08:09.500000Z", false},
		// Below a microsecond is truncated, not rounded.
		{"2024-05-06T07:08:09.1234569Z", "2024-05-06T07:08:09.123456Z", false},
		{"2024-05-06 07:08:09.25", "2024-05-06T07:08:09.250000Z", false},
		{"2024-12-31T23:30:00-01:00", "2025-01-01T00:30:00.000000Z", false},
		{"1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59.500000Z", false},
		{"", null, false},
		{"garbage", null, true},
		{"2024-02-30T00:00:00Z", null, true},
		{"05/06/2024 07:08", null, true},
	}
	checkField(t, pipeline.ColUpdatedAt, pipeline.ReasonInvalidUpdatedAt, tests,
		func(raw string) rawRow { return rawRow{ID: 1, Updated: raw, File: 1, Line: 5} },
		func(p personRow) string { return p.Updated })
}

// fieldCase is one raw value of a field the mapper converts: what it maps
// to, and whether it is rejected.
type fieldCase struct {
	raw, want string
	rejected  bool
}

// checkField maps each case's raw value, in the row that row makes of it,
// and checks the output field that got reads and the reject: a field-level
// one for column with reason, at the row's file and line, if the case is
// rejected, else none.
func checkField(t *testing.T, column, reason string, tests []fieldCase, row func(raw string) rawRow, got func(personRow) string) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			in := row(tt.raw)
			out, rejects := mapRows(t, []rawRow{in})
			if g := got(out[0]); g != tt.want {
				t.Errorf("%s %q = %s, want %s", column, tt.raw, g, tt.want)
			}
			var want []reject
			if tt.rejected {
				want = []reject{{in.File, in.Line, reason, column, tt.raw}}
			}
			if !slices.Equal(rejects, want) {
				t.Errorf("rejects %+v, want %+v", rejects, want)
			}
		})
	}
}

// A slice of a batch (offsets into shared buffers) maps like a batch of its
// own, and rejects carry the sliced rows' provenance.
func TestMapSlicedInput(t *testing.T) {
	mem, ledger := pipelinetest.NewLedger(t)
	rows := []rawRow{
		{ID: 1, Lead: "bad", Unsubscribed: "no", File: 0, Line: 2},
		{ID: 2, Lead: "00Q5f00000AbCdE", Unsubscribed: "yes", Updated: "2024-01-01T00:00:00Z", File: 0, Line: 3},
		{ID: 3, Lead: "also-bad", Owner: "0055f000001AbCd", File: 0, Line: 4},
		{ID: 4, Lead: "worse", File: 0, Line: 5},
	}
	in := rawBatch(t, mem, rows)
	s := in.NewSlice(1, 3)
	in.Release()
	defer s.Release()
	out, err := mapping.New(mem, ledger).Process(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	got := renderPeople(t, out)
	want := []personRow{
		{ID: 2, First: null, Last: null, Email: null, Phone: null, Company: null, Title: null, LinkedIn: null,
			Source: null, Lead: "00Q5f00000AbCdEEAV", Contact: null, Account: null, Opportunity: null,
			Owner: null, Type: null, Unsubscribed: "true", Updated: "2024-01-01T00:00:00.000000Z", File: 0, Line: 3},
		{ID: 3, First: null, Last: null, Email: null, Phone: null, Company: null, Title: null, LinkedIn: null,
			Source: null, Lead: null, Contact: null, Account: null, Opportunity: null,
			Owner: "0055f000001AbCdAAK", Type: null, Unsubscribed: null, Updated: null, File: 0, Line: 4},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}
	rej := ledger.Rejects()
	defer rej.Release()
	wantRej := []reject{{0, 4, pipeline.ReasonInvalidSFDCID, pipeline.ColSFDCLeadID, "also-bad"}}
	if got := renderRejects(t, rej); !slices.Equal(got, wantRej) {
		t.Errorf("rejects %+v, want %+v", got, wantRej)
	}
}

func TestMapEmptyBatch(t *testing.T) {
	got, rejects := mapRows(t, nil)
	if len(got) != 0 || len(rejects) != 0 {
		t.Errorf("empty batch mapped to %v, %v", got, rejects)
	}
}

// benchRows returns n rows shaped like a Marketo export: mostly 15-character
// ids, some 18-character, a few invalid.
func benchRows(n int) []rawRow {
	r := rand.New(rand.NewPCG(3, 4))
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	id := func(prefix string) string {
		b := []byte(prefix)
		for len(b) < 15 {
			b = append(b, alnum[r.IntN(len(alnum))])
		}
		s := string(b)
		switch u := r.IntN(100); {
		case u < 30:
			s, _ = mapping.NormalizeSFDCID(s)
		case u < 31:
			s = s[:14]
		case u < 60:
			s = ""
		}
		return s
	}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := make([]rawRow, n)
	for i := range rows {
		rows[i] = rawRow{
			ID: int64(i + 1), First: "First", Last: fmt.Sprintf("Last%d", i),
			Email: fmt.Sprintf("person%d@example.com", i), Phone: "+1 555 0100", Company: "Acme",
			Title: "Engineer", LinkedIn: "https://www.linkedin.com/in/x", Source: "Web",
			Lead: id("00Q"), Contact: id("003"), Account: id("001"), Opportunity: id("006"),
			Owner: id("005"), Type: "Lead", Unsubscribed: []string{"true", "false", "false", ""}[i%4],
			Updated: base.Add(time.Duration(r.IntN(365*24*3600)) * time.Second).Format(time.RFC3339),
			Created: "2023-01-01T00:00:00Z", File: 0, Line: int64(i + 2),
		}
	}
	return rows
}

func BenchmarkMap(b *testing.B) {
	const n, batchRows = 100_000, 32 * 1024
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(b, 0)
	rows := benchRows(n)
	var batches []arrow.RecordBatch
	for lo := 0; lo < n; lo += batchRows {
		batches = append(batches, rawBatch(b, mem, rows[lo:min(lo+batchRows, n)]))
	}
	defer func() {
		for _, in := range batches {
			in.Release()
		}
	}()
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	iters := 0
	for b.Loop() {
		iters++
		ledger := pipeline.NewLedger(mem)
		m := mapping.New(mem, ledger)
		for _, in := range batches {
			out, err := m.Process(ctx, in)
			if err != nil {
				b.Fatal(err)
			}
			out.Release()
		}
		ledger.Close()
	}
	b.ReportMetric(float64(n*iters)/b.Elapsed().Seconds(), "rows/s")
}
