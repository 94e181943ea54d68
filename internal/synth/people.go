package synth

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode/utf8"
)

// Spelling selects the header spelling family of a people export.
type Spelling int

const (
	// REST uses the Marketo REST API field names, as the Bulk Lead Extract
	// writes them: id, firstName, sfdcLeadOwnerId, …
	REST Spelling = iota
	// Display uses the Marketo UI display names: "Id", "First Name",
	// "SFDC Lead Owner Id", …
	Display
	// Snake uses snake_case names: marketo_id, first_name, sales_owner_id, …
	Snake
)

const ncol = 19

var headers = [...][ncol]string{
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

// Column positions in every spelling.
const (
	colID = iota
	colFirstName
	colLastName
	colEmail
	colPhone
	colCompany
	colTitle
	colSource
	colLeadID
	colContactID
	colAccountID
	colOpptyID
	colLinkedIn
	colOwner
	colType
	colUnsubscribed
	colUpdatedAt
	colCreatedAt
	colLeadScore
)

func (s Spelling) valid() bool { return s >= REST && s <= Snake }

// Header returns the people header row written for this spelling (a copy);
// the last column (lead score) is one that actsync does not know.
func (s Spelling) Header() []string {
	if !s.valid() {
		return nil
	}
	h := headers[s]
	return h[:]
}

func (s Spelling) String() string {
	switch s {
	case REST:
		return "REST"
	case Display:
		return "Display"
	case Snake:
		return "Snake"
	}
	return "Spelling(" + strconv.Itoa(int(s)) + ")"
}

// PeopleOptions configures WritePeople.
type PeopleOptions struct {
	N         int      // number of data rows of the initial export (Day 0)
	Seed      int64    // same seed, same bytes
	Spelling  Spelling // header spelling family
	Delimiter rune     // ',' when zero; '\t' for TSV
	// Day 0 writes the initial export; d > 0 writes the delta export of day d
	// of the initial export with the same N and Seed (see the package doc).
	Day int
}

// Model constants (see the package doc).
const (
	idBase       = 1_000_000
	ownerUsers   = 240
	ownerQueues  = 6
	companyCount = 50_000

	rateUser     = 0.70
	rateQueue    = 0.06
	rateUnsynced = 0.25 // of the people without owner
	rateIntl     = 0.05
	rateDup      = 0.01 // rows copying an earlier email; ~2× that share one
	rateBadID    = 0.005
	rateUnsub    = 0.03
	rateTitleNL  = 0.003
	rateLongID   = 0.55
	rateTouched  = 0.01 // people in a day's delta
	dupWindow    = 5000
	phoneKinds   = 7
	daySeconds   = 86400
)

var (
	start2025 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	start2026 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
)

const (
	ownerNone uint8 = iota
	ownerUser
	ownerQueue
)

type owner struct {
	kind uint8
	n    int
	long bool
}

const (
	typeNone uint8 = iota
	typeLead
	typeContact
)

// person is the recipe of one row; rendering it allocates nothing but the
// row string.
type person struct {
	idx         int64
	first, last name
	noFirst     bool
	emailPat    uint8
	dupOf       int64 // 0, or the earlier person whose email this row copies
	dupVariant  uint8
	company     int64 // -1: none
	freeMail    int   // 0: company domain; else 1+index into freeMailDomains
	phoneKind   uint8 // 0: none
	phoneNum    uint64
	title       string
	source      string
	sfType      uint8
	lead        sfid
	contact     sfid
	account     sfid
	oppty       sfid
	linkedin    bool
	owner       owner
	unsub       bool
	updated     int64
	created     int64
	score       int // -1: none
}

// gen holds the reusable state of one generator run.
type gen struct {
	seed int64
	n    int64 // people of the initial export
	npd  int64 // new people per delta day

	rb, rr, rm, ra rng // base, render, mutate, activity

	p, scratch person
	buf, tmp   []byte
	rec        []string
}

func newGen(seed int64, n int, cols int) *gen {
	g := &gen{seed: seed, n: int64(n), npd: newPerDay(int64(n))}
	g.rb.init()
	g.rr.init()
	g.rm.init()
	g.ra.init()
	g.buf = make([]byte, 0, 1024)
	g.tmp = make([]byte, 0, 256)
	g.rec = make([]string, cols)
	return g
}

func newPerDay(n int64) int64 {
	if n <= 0 {
		return 0
	}
	return max(1, n/2000)
}

func validDelim(r rune) bool {
	return r != 0 && r != '"' && r != '\r' && r != '\n' && utf8.ValidRune(r) && r != utf8.RuneError
}

// WritePeople writes a synthetic people export to w, streaming, and returns
// the first write error (or the final flush error).
func WritePeople(w io.Writer, o PeopleOptions) error {
	if o.N < 0 {
		return fmt.Errorf("synth: N must be >= 0, got %d", o.N)
	}
	if o.Day < 0 {
		return fmt.Errorf("synth: Day must be >= 0, got %d", o.Day)
	}
	if !o.Spelling.valid() {
		return fmt.Errorf("synth: unknown spelling %v", o.Spelling)
	}
	if o.Delimiter == 0 {
		o.Delimiter = ','
	}
	if !validDelim(o.Delimiter) {
		return fmt.Errorf("synth: invalid delimiter %q", o.Delimiter)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw) // reuses bw: it is a large enough *bufio.Writer
	cw.Comma = o.Delimiter
	if err := cw.Write(o.Spelling.Header()); err != nil {
		return err
	}
	g := newGen(o.Seed, o.N, ncol)
	p := &g.p
	if o.Day == 0 {
		for idx := int64(1); idx <= g.n; idx++ {
			g.base(p, idx)
			if err := g.writePerson(cw, p, 0); err != nil {
				return err
			}
		}
	} else {
		day := int64(o.Day)
		existing := g.n + (day-1)*g.npd
		for idx := int64(1); idx <= existing; idx++ {
			if !g.touched(idx, day) {
				continue
			}
			g.state(p, idx, day)
			if err := g.writePerson(cw, p, day); err != nil {
				return err
			}
		}
		for idx := existing + 1; idx <= existing+g.npd; idx++ {
			g.state(p, idx, day)
			if err := g.writePerson(cw, p, day); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// isDup reports whether person idx copies the email of an earlier person.
func (g *gen) isDup(idx int64) bool {
	return idx > 1 && unit(hash(g.seed, streamDup, uint64(idx), 1)) < rateDup
}

// touched reports whether person idx is in the delta of day.
func (g *gen) touched(idx, day int64) bool {
	return unit(hash(g.seed, streamSelect, uint64(idx), uint64(day))) < rateTouched
}

// base fills p with the initial state of person idx. It uses only g.rb.
func (g *gen) base(p *person, idx int64) {
	r := &g.rb
	r.reset(g.seed, streamPerson, uint64(idx), 0)
	*p = person{idx: idx, company: -1, score: -1}

	p.first = firstNames[r.IntN(len(firstNames))]
	p.last = lastNames[r.IntN(len(lastNames))]
	if r.chance(rateIntl) {
		switch r.IntN(3) {
		case 0:
			p.first = firstNamesIntl[r.IntN(len(firstNamesIntl))]
		case 1:
			p.last = lastNamesIntl[r.IntN(len(lastNamesIntl))]
		default:
			p.first = firstNamesIntl[r.IntN(len(firstNamesIntl))]
			p.last = lastNamesIntl[r.IntN(len(lastNamesIntl))]
		}
	}
	p.noFirst = r.chance(0.01)
	p.emailPat = uint8(r.IntN(3))

	if !r.chance(0.02) {
		u := r.Float64()
		p.company = int64(float64(companyCount) * u * u)
	}
	if p.company < 0 || r.chance(0.12) {
		p.freeMail = 1 + r.IntN(len(freeMailDomains))
	}
	if r.chance(0.8) {
		p.phoneKind = uint8(1 + r.IntN(phoneKinds))
	}
	p.phoneNum = r.Uint64()
	switch u := r.Float64(); {
	case u < rateTitleNL:
		p.title = titlesNL[r.IntN(len(titlesNL))]
	case u < 0.9:
		p.title = titles[r.IntN(len(titles))]
	}
	if r.chance(0.9) {
		p.source = leadSources[r.IntN(len(leadSources))]
	}

	switch u := r.Float64(); {
	case u < rateUser:
		p.owner = owner{kind: ownerUser, n: r.IntN(ownerUsers), long: r.chance(0.5)}
	case u < rateUser+rateQueue:
		p.owner = owner{kind: ownerQueue, n: r.IntN(ownerQueues), long: r.chance(0.5)}
	}
	uidx := uint64(idx)
	switch {
	case p.owner.kind == ownerNone && r.chance(rateUnsynced):
		// a Marketo-only person: never synced to Salesforce
	case r.chance(0.55):
		p.sfType = typeLead
		p.lead = newSFID(g.seed, prefixLead, uidx, r.chance(rateLongID))
	default:
		p.sfType = typeContact
		p.contact = newSFID(g.seed, prefixContact, uidx, r.chance(rateLongID))
		acct := uint64(p.company)
		if p.company < 0 {
			acct = companyCount + uidx
		}
		p.account = newSFID(g.seed, prefixAccount, acct, r.chance(rateLongID))
		if r.chance(0.3) {
			p.oppty = newSFID(g.seed, prefixOppty, uidx, r.chance(rateLongID))
		}
	}
	if p.sfType != typeNone && r.chance(rateBadID/(1-(1-rateUser-rateQueue)*rateUnsynced)) {
		ids := [...]*sfid{&p.lead, &p.contact, &p.account, &p.oppty}
		k := r.IntN(4)
		for !ids[k].present() {
			k = (k + 1) % 4
		}
		ids[k].bad = uint8(1 + r.IntN(2))
	}
	p.linkedin = r.chance(0.45)
	p.unsub = r.chance(rateUnsub)
	p.updated = start2025 + r.Int64N(start2026-start2025)
	p.created = p.updated - 60 - r.Int64N(3*365*daySeconds)
	if r.chance(0.85) {
		p.score = r.IntN(151)
	}

	if g.isDup(idx) {
		h := hash(g.seed, streamDup, uidx, 2)
		j := idx - 1 - int64(h%uint64(min(idx-1, dupWindow)))
		for j > 1 && g.isDup(j) {
			j--
		}
		p.dupOf = j
		p.dupVariant = uint8(h >> 59) // 0..31
	}
}

func dayStart(day int64) int64 { return start2026 + (day-1)*daySeconds }

// state fills p with the state of person idx as of the delta of day: its
// initial state (or its state on the day it was created, for people created
// by a delta) with the changes of every day up to day applied.
func (g *gen) state(p *person, idx, day int64) {
	g.base(p, idx)
	var from int64 = 1
	if idx > g.n {
		intro := (idx-g.n-1)/g.npd + 1
		r := &g.rm
		r.reset(g.seed, streamMutate, uint64(idx), 0)
		p.updated = dayStart(intro) + r.Int64N(daySeconds)
		p.created = p.updated - 60 - r.Int64N(7200)
		from = intro + 1
	}
	for e := from; e <= day; e++ {
		if g.touched(idx, e) {
			g.mutate(p, e)
		}
	}
}

// mutate applies the change of day to p. It uses only g.rm.
func (g *gen) mutate(p *person, day int64) {
	r := &g.rm
	r.reset(g.seed, streamMutate, uint64(p.idx), uint64(day))
	p.updated = dayStart(day) + r.Int64N(daySeconds)
	switch u := r.Float64(); {
	case u < 0.20: // title
		t := titles[r.IntN(len(titles)-1)]
		if t == p.title {
			t = titles[len(titles)-1]
		}
		p.title = t
	case u < 0.35: // phone
		p.phoneNum = r.Uint64()
		if p.phoneKind == 0 {
			p.phoneKind = uint8(1 + r.IntN(phoneKinds))
		}
	case u < 0.48: // owner moves to another user
		n := r.IntN(ownerUsers - 1)
		if p.owner.kind == ownerUser && n >= p.owner.n {
			n++
		}
		p.owner = owner{kind: ownerUser, n: n, long: r.chance(0.5)}
	case u < 0.85: // nothing synced
		if r.chance(0.3) {
			p.unsub = !p.unsub
		}
		if r.chance(0.5) {
			p.score = r.IntN(151)
		}
	case u < 0.93:
		p.owner = owner{}
	default:
		p.owner = owner{kind: ownerQueue, n: r.IntN(ownerQueues), long: r.chance(0.5)}
	}
}

// orNull writes the literal null for an empty field half of the time.
func (g *gen) orNull(b []byte, start int) []byte {
	if len(b) == start && g.rr.Uint64()&1 == 0 {
		b = append(b, "null"...)
	}
	return b
}

// writeRow writes the record whose fields end in b at ends (one string,
// sliced, for the whole row) and keeps b's storage for the next row.
func (g *gen) writeRow(cw *csv.Writer, b []byte, ends []int) error {
	row := string(b)
	g.buf = b
	prev := 0
	for i, e := range ends {
		g.rec[i] = row[prev:e]
		prev = e
	}
	return cw.Write(g.rec)
}

func appendTime(b []byte, unix int64) []byte {
	return time.Unix(unix, 0).UTC().AppendFormat(b, time.RFC3339)
}

// writePerson renders p into one string and writes it as a CSV record.
func (g *gen) writePerson(cw *csv.Writer, p *person, day int64) error {
	g.rr.reset(g.seed, streamRender, uint64(p.idx), uint64(day))
	var ends [ncol]int
	b := g.buf[:0]
	field := func(col int) { ends[col] = len(b) }
	var s int

	b = strconv.AppendInt(b, idBase+p.idx, 10)
	field(colID)
	s = len(b)
	if !p.noFirst {
		b = append(b, p.first.disp...)
	}
	b = g.orNull(b, s)
	field(colFirstName)
	b = append(b, p.last.disp...)
	field(colLastName)
	b = g.appendEmail(b, p)
	field(colEmail)
	s = len(b)
	b = appendPhone(b, p.phoneKind, p.phoneNum)
	b = g.orNull(b, s)
	field(colPhone)
	s = len(b)
	b = g.appendCompany(b, p.company)
	b = g.orNull(b, s)
	field(colCompany)
	b = g.orNull(append(b, p.title...), ends[colCompany])
	field(colTitle)
	b = g.orNull(append(b, p.source...), ends[colTitle])
	field(colSource)
	b = g.orNull(p.lead.append(b), ends[colSource])
	field(colLeadID)
	b = g.orNull(p.contact.append(b), ends[colLeadID])
	field(colContactID)
	b = g.orNull(p.account.append(b), ends[colContactID])
	field(colAccountID)
	b = g.orNull(p.oppty.append(b), ends[colAccountID])
	field(colOpptyID)
	s = len(b)
	if p.linkedin {
		b = append(b, "https://www.linkedin.com/in/"...)
		b = append(b, p.first.fold...)
		b = append(b, '-')
		b = append(b, p.last.fold...)
		b = append(b, '-')
		b = strconv.AppendUint(b, hash(g.seed, streamPerson, uint64(p.idx), 7)&0xffffffff|1<<32, 36)
	}
	b = g.orNull(b, s)
	field(colLinkedIn)
	b = g.orNull(g.appendOwner(b, p.owner), ends[colLinkedIn])
	field(colOwner)
	switch p.sfType {
	case typeLead:
		b = append(b, "Lead"...)
	case typeContact:
		b = append(b, "Contact"...)
	}
	b = g.orNull(b, ends[colOwner])
	field(colType)
	b = strconv.AppendBool(b, p.unsub)
	field(colUnsubscribed)
	b = appendTime(b, p.updated)
	field(colUpdatedAt)
	b = appendTime(b, p.created)
	field(colCreatedAt)
	s = len(b)
	if p.score >= 0 {
		b = strconv.AppendInt(b, int64(p.score), 10)
	}
	b = g.orNull(b, s)
	field(colLeadScore)

	return g.writeRow(cw, b, ends[:])
}

func (g *gen) appendOwner(b []byte, o owner) []byte {
	switch o.kind {
	case ownerUser:
		return newSFID(g.seed, prefixUser, uint64(o.n), o.long).append(b)
	case ownerQueue:
		return newSFID(g.seed, prefixQueue, uint64(o.n), o.long).append(b)
	}
	return b
}

type companyParts struct {
	pre, noun name
	suffix    string
	quoted    bool
}

func (g *gen) company(k int64) companyParts {
	h := hash(g.seed, streamCompany, uint64(k), 0)
	c := companyParts{
		pre:    companyPrefixes[h%uint64(len(companyPrefixes))],
		noun:   companyNouns[(h>>8)%uint64(len(companyNouns))],
		suffix: companySuffixes[(h>>16)%uint64(len(companySuffixes))],
	}
	switch v := (h >> 24) % 100; {
	case v < 4:
		c.pre = companyPrefixesIntl[(h>>32)%uint64(len(companyPrefixesIntl))]
	case v < 7:
		c.quoted = true
	}
	return c
}

func (g *gen) appendCompany(b []byte, k int64) []byte {
	if k < 0 {
		return b
	}
	c := g.company(k)
	b = append(b, c.pre.disp...)
	b = append(b, ' ')
	if c.quoted {
		b = append(b, '"')
	}
	b = append(b, c.noun.disp...)
	if c.quoted {
		b = append(b, '"')
	}
	return append(b, c.suffix...)
}

// appendCanonicalEmail writes the email p owns (unique by construction: the
// local part ends with the person number and names contain no digits).
func (g *gen) appendCanonicalEmail(b []byte, p *person) []byte {
	switch p.emailPat {
	case 0:
		b = append(b, p.first.fold...)
		b = append(b, '.')
		b = append(b, p.last.fold...)
	case 1:
		b = append(b, p.first.fold[0])
		b = append(b, p.last.fold...)
	default:
		b = append(b, p.first.fold...)
		b = append(b, '_')
		b = append(b, p.last.fold...)
		b = append(b, '.')
	}
	b = strconv.AppendInt(b, p.idx, 10)
	b = append(b, '@')
	if p.freeMail > 0 {
		return append(b, freeMailDomains[p.freeMail-1]...)
	}
	c := g.company(p.company)
	b = append(b, c.pre.fold...)
	b = append(b, c.noun.fold...)
	return append(b, ".example.com"...)
}

// appendEmail writes p's email: its own, or a variant of the email of the
// person it duplicates. It re-uses g.rb and g.scratch.
func (g *gen) appendEmail(b []byte, p *person) []byte {
	if p.dupOf == 0 {
		return g.appendCanonicalEmail(b, p)
	}
	src := &g.scratch
	g.base(src, p.dupOf)
	v := p.dupVariant
	if v >= 28 {
		b = append(b, ' ')
	}
	s := len(b)
	b = g.appendCanonicalEmail(b, src)
	switch {
	case v >= 28:
		b = append(b, ' ')
	case v >= 22: // upper case
		for i := s; i < len(b); i++ {
			if c := b[i]; c >= 'a' && c <= 'z' {
				b[i] = c - 'a' + 'A'
			}
		}
	case v >= 16: // capitalised
		if c := b[s]; c >= 'a' && c <= 'z' {
			b[s] = c - 'a' + 'A'
		}
	}
	return b
}

func appendPad(b []byte, v uint64, width int) []byte {
	var tmp [20]byte
	for i := width - 1; i >= 0; i-- {
		tmp[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, tmp[:width]...)
}

// appendPhone formats num in one of several national formats.
func appendPhone(b []byte, kind uint8, num uint64) []byte {
	area := 201 + num%799
	exch := 200 + (num/1000)%800
	line := (num / 1_000_000) % 10000
	ext := (num / 10_000_000_000) % 1000
	switch kind {
	case 1: // +1 415-555-0134
		b = appendNANP(append(b, "+1 "...), area, exch, line, '-')
	case 2: // (415) 555-0134
		b = append(b, '(')
		b = appendPad(b, area, 3)
		b = append(b, ") "...)
		b = appendPad(b, exch, 3)
		b = append(b, '-')
		b = appendPad(b, line, 4)
	case 3: // 415.555.0134
		b = appendNANP(b, area, exch, line, '.')
	case 4: // +44 20 7946 0958
		b = append(b, "+44 20 "...)
		b = appendPad(b, 7000+exch, 4)
		b = append(b, ' ')
		b = appendPad(b, line, 4)
	case 5: // +49 30 12345678
		b = append(b, "+49 30 "...)
		b = appendPad(b, exch*10000+line, 8)
	case 6: // +81 3-1234-5678
		b = append(b, "+81 3-"...)
		b = appendPad(b, 1000+exch, 4)
		b = append(b, '-')
		b = appendPad(b, line, 4)
	case 7: // +1 415 555 0134 x204
		b = appendNANP(append(b, "+1 "...), area, exch, line, ' ')
		b = append(b, " x"...)
		b = appendPad(b, 100+ext%900, 3)
	}
	return b
}

// appendNANP appends a North American number, 415 555 0134, with sep
// between its three groups.
func appendNANP(b []byte, area, exch, line uint64, sep byte) []byte {
	b = appendPad(b, area, 3)
	b = append(b, sep)
	b = appendPad(b, exch, 3)
	b = append(b, sep)
	return appendPad(b, line, 4)
}
