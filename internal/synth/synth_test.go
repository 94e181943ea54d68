package synth

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var wantHeaders = map[Spelling][]string{
	REST: {"id", "firstName", "lastName", "email", "phone", "company", "title", "leadSource",
		"sfdcLeadId", "sfdcContactId", "sfdcAccountId", "sfdcOpptyId", "linkedInProfileURL",
		"sfdcLeadOwnerId", "sfdcType", "unsubscribed", "updatedAt", "createdAt", "leadScore"},
	Display: {"Id", "First Name", "Last Name", "Email Address", "Phone Number", "Company Name", "Job Title", "Lead Source",
		"SFDC Lead Id", "SFDC Contact Id", "SFDC Account Id", "SFDC Oppty Id", "LinkedIn Profile URL",
		"SFDC Lead Owner Id", "SFDC Type", "Unsubscribed", "Updated At", "Created At", "Lead Score"},
	Snake: {"marketo_id", "first_name", "last_name", "email", "phone", "company", "title", "source",
		"sfdc_lead_id", "sfdc_contact_id", "sfdc_account_id", "sfdc_opportunity_id", "linkedin_url",
		"sales_owner_id", "sfdc_type", "unsubscribed", "updated_at", "created_at", "lead_score"},
}

func people(t testing.TB, o PeopleOptions) []byte {
	t.Helper()
	return generate(t, WritePeople, o)
}

func activities(t testing.TB, o ActivityOptions) []byte {
	t.Helper()
	return generate(t, WriteActivities, o)
}

// generate returns what write writes with options o.
func generate[O any](t testing.TB, write func(io.Writer, O) error, o O) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := write(&buf, o); err != nil {
		t.Fatalf("writing %T%+v: %v", o, o, err)
	}
	return buf.Bytes()
}

// parse reads a whole CSV file with encoding/csv, requiring every record to
// have the header's width.
func parse(t testing.TB, data []byte, comma rune) (header []string, rows [][]string) {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(data))
	r.Comma = comma
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("csv: %v", err)
	}
	if len(recs) == 0 {
		t.Fatal("no header")
	}
	return recs[0], recs[1:]
}

// val turns the two spellings of an empty value into "".
func val(s string) string {
	if s == "null" {
		return ""
	}
	return s
}

func TestDeterminism(t *testing.T) {
	tests := []struct {
		name  string
		write func(seed int64) []byte
	}{
		{"people/REST", func(s int64) []byte { return people(t, PeopleOptions{N: 3000, Seed: s}) }},
		{"people/Display/TSV", func(s int64) []byte {
			return people(t, PeopleOptions{N: 3000, Seed: s, Spelling: Display, Delimiter: '\t'})
		}},
		{"people/Snake/day3", func(s int64) []byte { return people(t, PeopleOptions{N: 3000, Seed: s, Spelling: Snake, Day: 3}) }},
		{"activities", func(s int64) []byte { return activities(t, ActivityOptions{N: 3000, People: 3000, Seed: s}) }},
		{"activities/legacy", func(s int64) []byte {
			return activities(t, ActivityOptions{N: 3000, People: 3000, Seed: s, LegacyAttributes: true})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b, c := tt.write(42), tt.write(42), tt.write(43)
			if !bytes.Equal(a, b) {
				t.Error("same seed gave different bytes")
			}
			if bytes.Equal(a, c) {
				t.Error("different seeds gave identical bytes")
			}
		})
	}
	t.Run("days differ", func(t *testing.T) {
		d1 := people(t, PeopleOptions{N: 3000, Seed: 42, Day: 1})
		d2 := people(t, PeopleOptions{N: 3000, Seed: 42, Day: 2})
		if bytes.Equal(d1, d2) {
			t.Error("day 1 and day 2 deltas are identical")
		}
	})
}

func TestPeopleParse(t *testing.T) {
	const n = 2000
	tests := []struct {
		spelling Spelling
		delim    rune
	}{
		{REST, 0}, {REST, '\t'}, {Display, ','}, {Display, '\t'}, {Snake, ','}, {Snake, ';'},
	}
	for _, tt := range tests {
		t.Run(tt.spelling.String()+"/"+strconv.QuoteRuneToASCII(cmp.Or(tt.delim, ',')), func(t *testing.T) {
			comma := tt.delim
			if comma == 0 {
				comma = ','
			}
			data := people(t, PeopleOptions{N: n, Seed: 7, Spelling: tt.spelling, Delimiter: tt.delim})
			header, rows := parse(t, data, comma)
			if !slices.Equal(header, wantHeaders[tt.spelling]) {
				t.Fatalf("header = %q\nwant     %q", header, wantHeaders[tt.spelling])
			}
			if !slices.Equal(tt.spelling.Header(), wantHeaders[tt.spelling]) {
				t.Errorf("Header() = %q", tt.spelling.Header())
			}
			if len(rows) != n {
				t.Fatalf("rows = %d, want %d", len(rows), n)
			}
			for i, row := range rows {
				if want := strconv.Itoa(idBase + i + 1); row[colID] != want {
					t.Fatalf("row %d: id %q, want %q", i, row[colID], want)
				}
				up, err := time.Parse(time.RFC3339, row[colUpdatedAt])
				if err != nil || !strings.HasSuffix(row[colUpdatedAt], "Z") || up.Year() != 2025 {
					t.Fatalf("row %d: updatedAt %q (%v)", i, row[colUpdatedAt], err)
				}
				cr, err := time.Parse(time.RFC3339, row[colCreatedAt])
				if err != nil || !cr.Before(up) {
					t.Fatalf("row %d: createdAt %q not before updatedAt %q", i, row[colCreatedAt], row[colUpdatedAt])
				}
				if u := row[colUnsubscribed]; u != "true" && u != "false" {
					t.Fatalf("row %d: unsubscribed %q", i, u)
				}
				for _, f := range row {
					if !utf8.ValidString(f) {
						t.Fatalf("row %d: invalid UTF-8 %q", i, f)
					}
				}
			}
		})
	}
}

// stats summarises a people export.
type stats struct {
	rows, users, queues, dupRows, intl, unsub, badIDRows int
	nulls, empties                                       int
	commaCompanies, quoteCompanies, newlineTitles        int
	short, long                                          int
	leads, contacts                                      int
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// checksum is an independent implementation of the Salesforce 15→18 suffix.
func checksum(id15 string) string {
	var out strings.Builder
	for c := range 3 {
		v := 0
		for i := range 5 {
			if ch := id15[c*5+i]; 'A' <= ch && ch <= 'Z' {
				v += 1 << i
			}
		}
		out.WriteByte("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[v])
	}
	return out.String()
}

// validSFID reports whether s is a well-formed 15- or 18-character id.
func validSFID(s string) bool {
	switch {
	case len(s) == 15 && isAlnum(s):
		return true
	case len(s) == 18 && isAlnum(s):
		return checksum(s[:15]) == s[15:]
	}
	return false
}

func summarise(t *testing.T, rows [][]string) stats {
	t.Helper()
	var s stats
	emails := map[string]int{}
	optional := []int{colFirstName, colPhone, colCompany, colTitle, colSource, colLeadID, colContactID,
		colAccountID, colOpptyID, colLinkedIn, colOwner, colType, colLeadScore}
	for i, row := range rows {
		s.rows++
		switch owner := val(row[colOwner]); {
		case strings.HasPrefix(owner, "005"):
			s.users++
		case strings.HasPrefix(owner, "00G"):
			s.queues++
		case owner != "":
			t.Fatalf("row %d: owner %q", i, owner)
		}
		if owner := val(row[colOwner]); owner != "" && !validSFID(owner) {
			t.Fatalf("row %d: invalid owner id %q", i, owner)
		}
		emails[strings.ToLower(strings.TrimSpace(row[colEmail]))]++
		for _, c := range []int{colFirstName, colLastName} {
			for _, r := range row[c] {
				if r > 127 {
					s.intl++
					goto named
				}
			}
		}
	named:
		if row[colUnsubscribed] == "true" {
			s.unsub++
		}
		for _, c := range optional {
			switch row[c] {
			case "null":
				s.nulls++
			case "":
				s.empties++
			}
		}
		if strings.Contains(row[colCompany], ",") {
			s.commaCompanies++
		}
		if strings.Contains(row[colCompany], `"`) {
			s.quoteCompanies++
		}
		if strings.Contains(row[colTitle], "\n") {
			s.newlineTitles++
		}
		bad := 0
		prefixes := map[int]string{colLeadID: "00Q", colContactID: "003", colAccountID: "001", colOpptyID: "006"}
		for c, prefix := range prefixes {
			id := val(row[c])
			if id == "" {
				continue
			}
			if !strings.HasPrefix(id, prefix) {
				t.Fatalf("row %d: column %d id %q without prefix %s", i, c, id, prefix)
			}
			switch {
			case !validSFID(id):
				bad++
			case len(id) == 15:
				s.short++
			default:
				s.long++
			}
		}
		if bad > 1 {
			t.Fatalf("row %d: %d invalid ids", i, bad)
		}
		s.badIDRows += bad
		switch lead, contact, account := val(row[colLeadID]), val(row[colContactID]), val(row[colAccountID]); val(row[colType]) {
		case "Lead":
			s.leads++
			if lead == "" || contact != "" || account != "" {
				t.Fatalf("row %d: Lead with lead %q contact %q account %q", i, lead, contact, account)
			}
		case "Contact":
			s.contacts++
			if lead != "" || contact == "" || account == "" {
				t.Fatalf("row %d: Contact with lead %q contact %q account %q", i, lead, contact, account)
			}
		case "":
			if lead+contact+account+val(row[colOpptyID]) != "" {
				t.Fatalf("row %d: ids without sfdcType", i)
			}
		default:
			t.Fatalf("row %d: sfdcType %q", i, row[colType])
		}
	}
	for e, n := range emails {
		if e == "" {
			t.Fatal("empty email")
		}
		if n > 1 {
			s.dupRows += n
		}
	}
	return s
}

func TestPeopleProportions(t *testing.T) {
	const n = 20000
	for _, seed := range []int64{1, 2, 3} {
		_, rows := parse(t, people(t, PeopleOptions{N: n, Seed: seed}), ',')
		s := summarise(t, rows)
		t.Logf("seed %d: %+v", seed, s)
		tests := []struct {
			name      string
			got       int
			want, tol float64 // share of rows
		}{
			{"user owners", s.users, 0.70, 0.02},
			{"queue owners", s.queues, 0.06, 0.01},
			{"rows sharing an email", s.dupRows, 0.02, 0.006},
			{"non-ASCII names", s.intl, 0.05, 0.01},
			{"unsubscribed", s.unsub, 0.03, 0.008},
			{"rows with an invalid sfdc id", s.badIDRows, 0.005, 0.0025},
			{"newline titles", s.newlineTitles, 0.003, 0.002},
		}
		for _, tt := range tests {
			if got := float64(tt.got) / n; math.Abs(got-tt.want) > tt.tol {
				t.Errorf("seed %d: %s = %.4f, want %.4f ± %.4f", seed, tt.name, got, tt.want, tt.tol)
			}
		}
		if share := float64(s.nulls) / float64(s.nulls+s.empties); math.Abs(share-0.5) > 0.03 {
			t.Errorf("seed %d: null share of empty values = %.3f, want ~0.5", seed, share)
		}
		if s.commaCompanies == 0 || s.quoteCompanies == 0 {
			t.Errorf("seed %d: companies with commas %d, with quotes %d", seed, s.commaCompanies, s.quoteCompanies)
		}
		if s.short == 0 || s.long == 0 {
			t.Errorf("seed %d: 15-char ids %d, 18-char ids %d", seed, s.short, s.long)
		}
		if s.leads == 0 || s.contacts == 0 {
			t.Errorf("seed %d: leads %d contacts %d", seed, s.leads, s.contacts)
		}
	}
}

func TestSFIDChecksum(t *testing.T) {
	// The example of the Salesforce documentation.
	if got := sfidSuffix([]byte("001A0000006Vm9r")); string(got[:]) != "IAC" {
		t.Errorf("sfidSuffix(001A0000006Vm9r) = %s, want IAC", got[:])
	}
	// Every 18-character id written (sfdc ids and owners) has a valid suffix.
	_, rows := parse(t, people(t, PeopleOptions{N: 20000, Seed: 9}), ',')
	checked := 0
	for i, row := range rows {
		for _, c := range []int{colLeadID, colContactID, colAccountID, colOpptyID, colOwner} {
			if id := row[c]; len(id) == 18 && isAlnum(id) {
				checked++
				if want := checksum(id[:15]); id[15:] != want {
					t.Fatalf("row %d: %s has suffix %s, want %s", i, id, id[15:], want)
				}
			}
		}
	}
	if checked < 10000 {
		t.Errorf("only %d 18-character ids checked", checked)
	}
	// Ids of distinct numbers never collide.
	seen := map[uint64]bool{}
	for n := range uint64(100000) {
		v := scramble(5, prefixLead, n)
		if seen[v] || v >= sfidSpace {
			t.Fatalf("scramble(%d) = %d collides or is out of range", n, v)
		}
		seen[v] = true
	}
}

func TestDuplicateEmails(t *testing.T) {
	_, rows := parse(t, people(t, PeopleOptions{N: 20000, Seed: 4}), ',')
	exact := map[string]int{}
	norm := map[string]int{}
	for _, row := range rows {
		exact[row[colEmail]]++
		norm[strings.ToLower(strings.TrimSpace(row[colEmail]))]++
	}
	variants := 0
	for e := range exact {
		if n := norm[strings.ToLower(strings.TrimSpace(e))]; n > 1 && e != strings.ToLower(strings.TrimSpace(e)) {
			variants++
		}
	}
	if variants == 0 {
		t.Error("no duplicate email differs in case or whitespace")
	}
	if len(norm) >= len(rows) {
		t.Error("no duplicate emails")
	}
}

func TestDelta(t *testing.T) {
	const n = 20000
	const seed = 11
	_, initRows := parse(t, people(t, PeopleOptions{N: n, Seed: seed, Spelling: Display}), ',')
	initial := map[string][]string{}
	for _, row := range initRows {
		initial[row[colID]] = row
	}
	synced := []int{colFirstName, colLastName, colEmail, colPhone, colCompany, colTitle, colSource,
		colLeadID, colContactID, colAccountID, colOpptyID, colLinkedIn}

	newIDs := map[string]int{}
	for day := 1; day <= 3; day++ {
		header, rows := parse(t, people(t, PeopleOptions{N: n, Seed: seed, Spelling: Display, Day: day}), ',')
		if !slices.Equal(header, wantHeaders[Display]) {
			t.Fatalf("day %d header %q", day, header)
		}
		var fresh, changedSynced, onlyMeta, ownerChanged, ownerRemoved, ownerQueue int
		prevID := 0
		for _, row := range rows {
			id, err := strconv.Atoi(row[colID])
			if err != nil || id <= prevID {
				t.Fatalf("day %d: id %q not increasing", day, row[colID])
			}
			prevID = id
			up, err := time.Parse(time.RFC3339, row[colUpdatedAt])
			if err != nil {
				t.Fatal(err)
			}
			if want := time.Date(2026, 1, day, 0, 0, 0, 0, time.UTC); up.Before(want) || !up.Before(want.AddDate(0, 0, 1)) {
				t.Errorf("day %d: updatedAt %v", day, up)
			}
			old, ok := initial[row[colID]]
			if !ok {
				if id <= idBase+n {
					t.Fatalf("day %d: unknown id %d inside the initial range", day, id)
				}
				if d, seen := newIDs[row[colID]]; seen && d == day {
					t.Fatalf("day %d: new id %d twice", day, id)
				}
				if _, seen := newIDs[row[colID]]; !seen {
					fresh++
					newIDs[row[colID]] = day
				}
				continue
			}
			if val(row[colEmail]) != val(old[colEmail]) {
				t.Errorf("day %d id %d: email changed %q -> %q", day, id, old[colEmail], row[colEmail])
			}
			if day > 1 {
				continue // later days are cumulative; the categories are checked on day 1
			}
			ch := false
			for _, c := range synced {
				if val(row[c]) != val(old[c]) {
					ch = true
				}
			}
			oldOwner, newOwner := val(old[colOwner]), val(row[colOwner])
			switch {
			case oldOwner == newOwner:
			case newOwner == "":
				ownerRemoved++
			case strings.HasPrefix(newOwner, "00G"):
				ownerQueue++
			default:
				ownerChanged++
			}
			if ch {
				changedSynced++
			} else if oldOwner == newOwner {
				onlyMeta++
			}
		}
		t.Logf("day %d: %d rows, %d new, %d synced field changes, %d only updatedAt/unsubscribed/score, owner: %d changed %d removed %d queue",
			day, len(rows), fresh, changedSynced, onlyMeta, ownerChanged, ownerRemoved, ownerQueue)
		if len(rows) < n/100*7/10 || len(rows) > n/100*13/10 {
			t.Errorf("day %d: %d rows, want ~%d", day, len(rows), n/100)
		}
		if fresh == 0 {
			t.Errorf("day %d: no new ids", day)
		}
		if day == 1 && (changedSynced == 0 || onlyMeta == 0 || ownerChanged == 0 || ownerRemoved == 0 || ownerQueue == 0) {
			t.Errorf("day 1: a change category is missing")
		}
	}
}

// TestDeltaCumulative checks that a person touched on two days shows on the
// second day the change of the first.
func TestDeltaCumulative(t *testing.T) {
	const n, seed = 50000, 3
	g := newGen(seed, n, ncol)
	var p1, p2 person
	for idx := int64(1); idx <= n; idx++ {
		if !g.touched(idx, 1) || !g.touched(idx, 2) {
			continue
		}
		g.state(&p1, idx, 1)
		g.state(&p2, idx, 2)
		g.mutate(&p1, 2)
		if p1 != p2 {
			t.Fatalf("person %d: day-2 state %+v != day-1 state + day-2 change %+v", idx, p2, p1)
		}
		return
	}
	t.Skip("no person touched on both days")
}

func TestActivities(t *testing.T) {
	const people_, n = 5000, 20000
	peopleData := people(t, PeopleOptions{N: people_, Seed: 21})
	_, personRows := parse(t, peopleData, ',')
	emails := map[string]bool{}
	for _, row := range personRows {
		emails[row[colEmail]] = true
	}
	for _, legacy := range []bool{false, true} {
		t.Run("legacy="+strconv.FormatBool(legacy), func(t *testing.T) {
			header, rows := parse(t, activities(t, ActivityOptions{N: n, People: people_, Seed: 21, LegacyAttributes: legacy}), ',')
			if want := "marketoGUID,leadId,activityDate,activityTypeId,campaignId,primaryAttributeValueId,primaryAttributeValue,attributes"; strings.Join(header, ",") != want || !slices.Equal(header, ActivityHeader()) {
				t.Fatalf("header %q", header)
			}
			if len(rows) != n {
				t.Fatalf("%d rows", len(rows))
			}
			types := map[int]int{}
			var known, unknown, empty, emailsKnown int
			var prevGUID int64
			var prevDate time.Time
			for i, row := range rows {
				guid, err := strconv.ParseInt(row[0], 10, 64)
				if err != nil || guid <= prevGUID {
					t.Fatalf("row %d: marketoGUID %q not increasing", i, row[0])
				}
				prevGUID = guid
				date, err := time.Parse(time.RFC3339, row[2])
				if err != nil || !strings.HasSuffix(row[2], "Z") || date.Before(prevDate) {
					t.Fatalf("row %d: activityDate %q", i, row[2])
				}
				prevDate = date
				typ, err := strconv.Atoi(row[3])
				if err != nil {
					t.Fatal(err)
				}
				types[typ]++
				attrs := decodeAttrs(t, row[7], legacy)
				switch id, _ := strconv.Atoi(row[1]); {
				case row[1] == "":
					empty++
					e, ok := attrs["Email"].(string)
					if !ok {
						t.Fatalf("row %d: empty leadId without Email attribute: %s", i, row[7])
					}
					if emails[e] {
						emailsKnown++
					}
				case id > idBase && id <= idBase+people_:
					known++
				default:
					unknown++
				}
				switch typ {
				case 39, 40, 41, 48:
					for _, k := range []string{"Sent By", "Email Subject", "Template"} {
						if _, ok := attrs[k].(string); !ok {
							t.Fatalf("row %d: type %d without %q: %s", i, typ, k, row[7])
						}
					}
				case 46:
					if _, ok := attrs["Description"].(string); !ok {
						t.Fatalf("row %d: interesting moment without Description", i)
					}
				case 32:
					if ids, ok := attrs["Merge IDs"].([]any); !ok || len(ids) != 1 {
						t.Fatalf("row %d: merge without Merge IDs: %s", i, row[7])
					}
				}
			}
			for _, typ := range []int{1, 2, 6, 7, 9, 10, 11, 12, 32, 37, 39, 40, 41, 45, 46, 48} {
				if types[typ] == 0 {
					t.Errorf("no activity of type %d", typ)
				}
			}
			t.Logf("types %v; leadId known %d unknown %d empty %d (emails of people %d)", types, known, unknown, empty, emailsKnown)
			if f := float64(unknown) / n; f < 0.01 || f > 0.05 {
				t.Errorf("unknown leadIds %.3f", f)
			}
			if f := float64(empty) / n; f < 0.01 || f > 0.06 {
				t.Errorf("empty leadIds %.3f", f)
			}
			if emailsKnown < empty*8/10 {
				t.Errorf("only %d of %d Email attributes are people's emails", emailsKnown, empty)
			}
		})
	}
}

// decodeAttrs parses the attributes column in either shape into a map.
func decodeAttrs(t *testing.T, s string, legacy bool) map[string]any {
	t.Helper()
	m := map[string]any{}
	if !legacy {
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatalf("attributes %s: %v", s, err)
		}
		return m
	}
	var list []struct {
		Name  *string `json:"name"`
		Value any     `json:"value"`
	}
	if err := json.Unmarshal([]byte(s), &list); err != nil {
		t.Fatalf("legacy attributes %s: %v", s, err)
	}
	for _, a := range list {
		if a.Name == nil {
			t.Fatalf("legacy attribute without name: %s", s)
		}
		m[*a.Name] = a.Value
	}
	return m
}

type failWriter struct{ after int }

var errFail = errors.New("disk full")

func (w *failWriter) Write(p []byte) (int, error) {
	if w.after -= len(p); w.after < 0 {
		return 0, errFail
	}
	return len(p), nil
}

func TestErrors(t *testing.T) {
	for _, o := range []PeopleOptions{
		{N: -1}, {N: 1, Day: -1}, {N: 1, Spelling: Spelling(9)}, {N: 1, Delimiter: '"'}, {N: 1, Delimiter: '\n'},
	} {
		if err := WritePeople(io.Discard, o); err == nil {
			t.Errorf("WritePeople(%+v): no error", o)
		}
	}
	for _, o := range []ActivityOptions{{N: -1}, {N: 1, People: -1}} {
		if err := WriteActivities(io.Discard, o); err == nil {
			t.Errorf("WriteActivities(%+v): no error", o)
		}
	}
	if err := WritePeople(&failWriter{after: 100_000}, PeopleOptions{N: 10000}); !errors.Is(err, errFail) {
		t.Errorf("WritePeople to a failing writer: %v", err)
	}
	if err := WritePeople(&failWriter{after: 10}, PeopleOptions{N: 1}); !errors.Is(err, errFail) {
		t.Errorf("WritePeople flush to a failing writer: %v", err)
	}
	if err := WriteActivities(&failWriter{after: 100_000}, ActivityOptions{N: 10000, People: 10}); !errors.Is(err, errFail) {
		t.Errorf("WriteActivities to a failing writer: %v", err)
	}
	// Degenerate sizes still produce valid files.
	if _, rows := parse(t, people(t, PeopleOptions{N: 0}), ','); len(rows) != 0 {
		t.Errorf("N=0: %d rows", len(rows))
	}
	if _, rows := parse(t, activities(t, ActivityOptions{N: 50, People: 0}), ','); len(rows) != 50 {
		t.Errorf("People=0: %d rows", len(rows))
	}
}

// TestStreaming checks that memory does not grow with N: one allocation per
// row (the row string), nothing retained.
func TestStreaming(t *testing.T) {
	for _, n := range []int{1000, 10000} {
		allocs := testing.AllocsPerRun(2, func() {
			if err := WritePeople(io.Discard, PeopleOptions{N: n, Seed: 1}); err != nil {
				t.Fatal(err)
			}
		})
		if perRow := allocs / float64(n); perRow > 1.1 {
			t.Errorf("N=%d: %.2f allocations per row", n, perRow)
		}
		allocs = testing.AllocsPerRun(2, func() {
			if err := WriteActivities(io.Discard, ActivityOptions{N: n, People: n, Seed: 1}); err != nil {
				t.Fatal(err)
			}
		})
		if perRow := allocs / float64(n); perRow > 1.1 {
			t.Errorf("activities N=%d: %.2f allocations per row", n, perRow)
		}
	}
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

func BenchmarkWritePeople(b *testing.B) {
	const n = 10000
	for _, sp := range []Spelling{REST, Display} {
		b.Run(sp.String(), func(b *testing.B) {
			var cw countWriter
			if err := WritePeople(&cw, PeopleOptions{N: n, Seed: 1, Spelling: sp}); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(cw.n)
			b.ReportAllocs()
			for b.Loop() {
				if err := WritePeople(io.Discard, PeopleOptions{N: n, Seed: 1, Spelling: sp}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

func BenchmarkWriteActivities(b *testing.B) {
	const n = 10000
	var cw countWriter
	if err := WriteActivities(&cw, ActivityOptions{N: n, People: n, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(cw.n)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteActivities(io.Discard, ActivityOptions{N: n, People: n, Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
