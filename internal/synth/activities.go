package synth

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// ActivityOptions configures WriteActivities.
type ActivityOptions struct {
	N                int   // number of activities
	People           int   // leadIds point at people 1000000+[1, People]
	Seed             int64 // same seed, same bytes; use the people's Seed for matching emails and owners
	LegacyAttributes bool  // attributes as [{"name":…,"value":…}] instead of a JSON object
}

// ActivityHeader returns the header row of a Bulk Activity Extract file (a copy).
func ActivityHeader() []string { return slices.Clone(activityHeader) }

var activityHeader = []string{
	"marketoGUID", "leadId", "activityDate", "activityTypeId", "campaignId",
	"primaryAttributeValueId", "primaryAttributeValue", "attributes",
}

// Activity type ids.
const (
	actVisitWebpage       = 1
	actFillOutForm        = 2
	actSendEmail          = 6
	actEmailDelivered     = 7
	actUnsubscribeEmail   = 9
	actOpenEmail          = 10
	actClickEmail         = 11
	actNewLead            = 12
	actMergeLeads         = 32
	actDeleteLead         = 37
	actSendSalesEmail     = 39
	actOpenSalesEmail     = 40
	actClickSalesEmail    = 41
	actReceiveSalesEmail  = 45
	actInterestingMoment  = 46
	actSalesEmailBounced  = 48
	rateUnknownLead       = 0.03
	rateEmptyLeadSales    = 0.12 // of the sales email activities
	rateUnknownEmailEmpty = 0.10 // of the empty-leadId activities
)

// activityMix gives each type's share in percent.
var activityMix = [...]struct{ id, pct int }{
	{actVisitWebpage, 16}, {actFillOutForm, 4}, {actSendEmail, 12}, {actEmailDelivered, 11},
	{actUnsubscribeEmail, 1}, {actOpenEmail, 9}, {actClickEmail, 4}, {actNewLead, 3},
	{actMergeLeads, 1}, {actDeleteLead, 1}, {actSendSalesEmail, 10}, {actOpenSalesEmail, 9},
	{actClickSalesEmail, 4}, {actReceiveSalesEmail, 3}, {actInterestingMoment, 10}, {actSalesEmailBounced, 2},
}

var activityPick = func() (t [100]uint8) {
	i := 0
	for _, m := range activityMix {
		for range m.pct {
			t[i] = uint8(m.id)
			i++
		}
	}
	if i != 100 {
		panic("synth: activity mix does not sum to 100")
	}
	return t
}()

func isSalesEmail(t int) bool {
	switch t {
	case actSendSalesEmail, actOpenSalesEmail, actClickSalesEmail, actReceiveSalesEmail, actSalesEmailBounced:
		return true
	}
	return false
}

// WriteActivities writes a synthetic Bulk Activity Extract CSV to w,
// streaming, and returns the first write error (or the final flush error).
func WriteActivities(w io.Writer, o ActivityOptions) error {
	if o.N < 0 {
		return fmt.Errorf("synth: N must be >= 0, got %d", o.N)
	}
	if o.People < 0 {
		return fmt.Errorf("synth: People must be >= 0, got %d", o.People)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	if err := cw.Write(activityHeader); err != nil {
		return err
	}
	g := newGen(o.Seed, o.People, len(activityHeader))
	const span = 365 * daySeconds
	n := int64(o.N)
	step := max(1, span/max(n, 1))
	guid := int64(900_000_000)
	for k := int64(1); k <= n; k++ {
		r := &g.ra
		r.reset(g.seed, streamActivity, uint64(k), 0)
		guid += 1 + r.Int64N(7)
		date := start2025 + (k-1)*span/n + r.Int64N(step)
		if err := g.writeActivity(cw, k, guid, date, o.LegacyAttributes); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// pickPerson returns a person number, skewed towards the first people.
func (g *gen) pickPerson() int64 {
	u := g.ra.Float64()
	return min(g.n, 1+int64(float64(g.n)*u*u))
}

// jw writes attributes as a JSON object or as the legacy name/value array.
type jw struct {
	legacy bool
	n      int
}

func (j *jw) begin(b []byte) []byte {
	if j.legacy {
		return append(b, '[')
	}
	return append(b, '{')
}

func (j *jw) end(b []byte) []byte {
	if j.legacy {
		return append(b, ']')
	}
	return append(b, '}')
}

// key opens an attribute; the caller writes its JSON value then calls done.
func (j *jw) key(b []byte, k string) []byte {
	if j.n > 0 {
		b = append(b, ',')
	}
	j.n++
	if j.legacy {
		b = append(b, `{"name":`...)
		b = appendJSONString(b, k)
		return append(b, `,"value":`...)
	}
	b = appendJSONString(b, k)
	return append(b, ':')
}

func (j *jw) done(b []byte) []byte {
	if j.legacy {
		return append(b, '}')
	}
	return b
}

func (j *jw) str(b []byte, k, v string) []byte {
	return j.done(appendJSONString(j.key(b, k), v))
}

func (j *jw) num(b []byte, k string, v int64) []byte {
	return j.done(strconv.AppendInt(j.key(b, k), v, 10))
}

func (j *jw) boolean(b []byte, k string, v bool) []byte {
	return j.done(strconv.AppendBool(j.key(b, k), v))
}

// openStr opens a string attribute; the caller appends characters that need
// no escaping (or uses appendJSONChars) and calls closeStr.
func (j *jw) openStr(b []byte, k string) []byte {
	return append(j.key(b, k), '"')
}

func (j *jw) closeStr(b []byte) []byte {
	return j.done(append(b, '"'))
}

func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendJSONChars(b, s)
	return append(b, '"')
}

// appendJSONChars appends s escaped for the inside of a JSON string.
func appendJSONChars(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return b
}

// appendRepEmail writes the email of sales rep n (user n of the owner pool);
// distinct reps have distinct emails.
func (g *gen) appendRepEmail(b []byte, n int) []byte {
	nf, nl := uint64(len(firstNames)), uint64(len(lastNames))
	m := (uint64(n) + hash(g.seed, streamReps, 0, 0)%(nf*nl)) % (nf * nl)
	b = append(b, firstNames[m%nf].fold...)
	b = append(b, '.')
	b = append(b, lastNames[m/nf].fold...)
	return append(b, "@example.com"...)
}

func appendIP(b []byte, v uint64) []byte {
	nets := [...]string{"203.0.113.", "198.51.100.", "192.0.2."}
	b = append(b, nets[v%3]...)
	return strconv.AppendUint(b, 1+(v>>8)%254, 10)
}

func appendPersonName(b []byte, p *person) []byte {
	if !p.noFirst {
		b = append(b, p.first.disp...)
		b = append(b, ' ')
	}
	return append(b, p.last.disp...)
}

func (g *gen) writeActivity(cw *csv.Writer, k, guid, date int64, legacy bool) error {
	r := &g.ra
	t := int(activityPick[r.IntN(100)])
	sales := isSalesEmail(t)

	// Who: a known person, an unknown id, or (sales emails) no id but an email.
	var leadID, idx int64
	emailOnly, unknownEmail := false, false
	switch u := r.Float64(); {
	case g.n > 0 && sales && u < rateEmptyLeadSales:
		emailOnly = true
		idx = g.pickPerson()
		unknownEmail = r.chance(rateUnknownEmailEmpty)
	case g.n == 0 || u > 1-rateUnknownLead:
		if r.Uint64()&1 == 0 {
			leadID = idBase + g.n + 1 + r.Int64N(1_000_000)
		} else {
			leadID = 1 + r.Int64N(idBase-1)
		}
	default:
		idx = g.pickPerson()
		leadID = idBase + idx
	}
	p := &g.p
	known := idx > 0 && !unknownEmail
	if known {
		g.base(p, idx)
	}
	rep := r.IntN(ownerUsers)
	if known && p.owner.kind == ownerUser {
		rep = p.owner.n
	}
	appendTarget := func(b []byte) []byte { // the email an email-only row names
		if unknownEmail {
			b = append(b, "unknown"...)
			b = strconv.AppendInt(b, k, 10)
			return append(b, "@nowhere.example.net"...)
		}
		return g.appendEmail(b, p)
	}

	var ends [8]int
	b := g.buf[:0]
	b = strconv.AppendInt(b, guid, 10)
	ends[0] = len(b)
	if leadID != 0 {
		b = strconv.AppendInt(b, leadID, 10)
	}
	ends[1] = len(b)
	b = appendTime(b, date)
	ends[2] = len(b)
	b = strconv.AppendInt(b, int64(t), 10)
	ends[3] = len(b)

	// campaignId, primaryAttributeValueId, primaryAttributeValue
	prog, mail := r.IntN(len(programs)), r.IntN(len(programEmails))
	artifact := 10_000 + r.Int64N(90_000)
	subject := salesSubjects[r.IntN(len(salesSubjects))]
	tmpl := r.IntN(len(salesTemplates))
	ua := userAgents[r.IntN(len(userAgents))]
	runID := 100 + r.Int64N(900)
	aux := r.Uint64()
	switch t {
	case actSendEmail, actEmailDelivered, actUnsubscribeEmail, actOpenEmail, actClickEmail:
		b = strconv.AppendInt(b, int64(1000+prog*10+mail), 10)
		ends[4] = len(b)
		b = strconv.AppendInt(b, int64(2000+prog*10+mail), 10)
		ends[5] = len(b)
		b = append(b, programs[prog]...)
		b = append(b, '.')
		b = append(b, programEmails[mail]...)
	case actVisitWebpage:
		wp := webPages[aux%uint64(len(webPages))]
		ends[4] = len(b)
		b = strconv.AppendInt(b, int64(wp.id), 10)
		ends[5] = len(b)
		b = append(b, wp.url...)
	case actFillOutForm:
		wf := webForms[aux%uint64(len(webForms))]
		if aux&(1<<20) != 0 {
			b = strconv.AppendInt(b, int64(1000+prog*10), 10)
		}
		ends[4] = len(b)
		b = strconv.AppendInt(b, int64(wf.id), 10)
		ends[5] = len(b)
		b = append(b, wf.url...)
	case actNewLead, actMergeLeads, actDeleteLead:
		ends[4] = len(b)
		if leadID != 0 {
			b = strconv.AppendInt(b, leadID, 10)
		}
		ends[5] = len(b)
		if known {
			b = appendPersonName(b, p)
		}
	case actInterestingMoment:
		b = strconv.AppendInt(b, int64(1500+prog), 10)
		ends[4] = len(b)
		ends[5] = len(b)
		b = append(b, momentDescriptions[aux%uint64(len(momentDescriptions))].kind...)
	default: // sales emails
		ends[4] = len(b)
		b = strconv.AppendInt(b, artifact, 10)
		ends[5] = len(b)
		if t == actReceiveSalesEmail {
			b = append(b, "Re: "...)
		}
		b = append(b, subject...)
	}
	ends[6] = len(b)

	// attributes
	j := jw{legacy: legacy}
	b = j.begin(b)
	switch t {
	case actVisitWebpage:
		wp := webPages[aux%uint64(len(webPages))]
		path := wp.url[len("www.example.com"):]
		b = j.str(b, "Webpage URL", path)
		if aux&(1<<10) != 0 {
			b = j.str(b, "Query Parameters", "utm_source=linkedin&utm_campaign=q2")
		} else {
			b = j.str(b, "Query Parameters", "")
		}
		b = j.closeStr(appendIP(j.openStr(b, "Client IP Address"), aux>>16))
		b = j.str(b, "Referrer URL", "https://www.google.com/")
		b = j.str(b, "User Agent", ua)
		b = j.num(b, "Webpage ID", int64(wp.id))
	case actFillOutForm:
		b = j.num(b, "Webpage ID", 104)
		b = j.str(b, "Referrer URL", "https://www.example.com/contact-us")
		b = j.str(b, "User Agent", ua)
		if aux&(1<<12) != 0 {
			b = j.str(b, "Form Fields", `{"Comments":"Please call me, thanks!","Country":"Deutschland"}`)
		} else {
			b = j.str(b, "Form Fields", `{"Comments":"Need a quote for 50 seats.\nASAP","Country":"United States"}`)
		}
	case actSendEmail, actEmailDelivered:
		b = j.num(b, "Campaign Run ID", runID)
		b = j.num(b, "Step ID", 5000+int64(prog))
		b = j.num(b, "Choice Number", 0)
	case actUnsubscribeEmail:
		b = j.num(b, "Campaign Run ID", runID)
		b = j.str(b, "Query Parameters", "mkt_unsubscribe=1&mkt_tok=eyJpIjoiTTJObE5UUXdOMlZrT0RFNCJ9")
		b = j.str(b, "Referrer URL", "https://www.example.com/UnsubscribePage.html")
		b = j.str(b, "User Agent", ua)
		b = j.num(b, "Webform ID", 1005)
		b = j.num(b, "Webpage ID", 109)
	case actOpenEmail, actClickEmail:
		b = j.num(b, "Campaign Run ID", runID)
		if t == actClickEmail {
			b = j.str(b, "Link", "https://www.example.com/demo?utm_source=email&utm_medium=marketo")
		}
		dev := aux % 3
		b = j.str(b, "Platform", [...]string{"Mac OS", "Windows", "iOS"}[dev])
		b = j.str(b, "Device", [...]string{"Mac", "PC", "iPhone"}[dev])
		b = j.str(b, "User Agent", ua)
		b = j.boolean(b, "Is Mobile Device", dev == 2)
	case actNewLead:
		b = j.str(b, "Source Type", newLeadSources[aux%uint64(len(newLeadSources))])
	case actMergeLeads:
		loser := g.pickPerson()
		if loser == idx {
			loser = loser%max(g.n, 1) + 1
		}
		b = j.key(b, "Merge IDs")
		b = append(b, '[')
		if g.n > 1 && loser != idx {
			b = strconv.AppendInt(b, idBase+loser, 10)
		}
		b = j.done(append(b, ']'))
		b = j.boolean(b, "Master Updated", aux&1 == 0)
		b = j.str(b, "Merge Source", "leaddb")
		b = j.boolean(b, "Merged in Sales", false)
	case actDeleteLead:
		// no attributes
	case actInterestingMoment:
		m := momentDescriptions[aux%uint64(len(momentDescriptions))]
		b = j.str(b, "Description", m.desc)
		b = j.str(b, "Source", m.kind)
		b = j.closeStr(appendTime(j.openStr(b, "Date"), date))
	case actReceiveSalesEmail:
		b = j.closeStr(g.appendRepEmail(j.openStr(b, "Received By"), rep))
		b = j.closeStr(appendJSONChars(append(j.openStr(b, "Email Subject"), "Re: "...), subject))
		b = j.num(b, "Artifact ID", artifact)
		b = j.str(b, "Source", "Sales Insight Actions")
	default: // 39, 40, 41, 48
		b = j.closeStr(g.appendRepEmail(j.openStr(b, "Sent By"), rep))
		b = j.str(b, "Email Subject", subject)
		b = j.str(b, "Template", salesTemplates[tmpl])
		b = j.num(b, "Template ID", 300+int64(tmpl))
		if t != actSalesEmailBounced {
			b = j.num(b, "Artifact ID", artifact)
		}
		if t == actClickSalesEmail {
			b = j.str(b, "Link", "https://www.example.com/pricing?utm_source=sales")
		}
		if aux&(1<<14) != 0 {
			b = j.str(b, "Sales Campaign Name", salesCampaigns[(aux>>20)%uint64(len(salesCampaigns))])
		}
		b = j.num(b, "Marketo Sales Person ID", 100+int64(rep))
		b = j.str(b, "Source", "Sales Insight Actions")
		if t == actSalesEmailBounced {
			b = j.str(b, "Details", bounceDetails[(aux>>24)%uint64(len(bounceDetails))])
			if !emailOnly && known {
				b = j.closeStr(appendTarget(j.openStr(b, "Email")))
			}
		}
	}
	if emailOnly {
		b = j.closeStr(appendTarget(j.openStr(b, "Email")))
	}
	b = j.end(b)
	ends[7] = len(b)

	return g.writeRow(cw, b, ends[:])
}
