package extract

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/actsync/actsync/pipeline"
)

// aliases maps each raw column to the normalised header spellings that feed
// it (docs/design.md "Inputs"): the REST API name the Bulk Lead Extract writes,
// the UI display name and snake_case. Where several spellings of one field
// are present, the first non-empty value in this order wins; for the sales
// owner this is the documented priority of the owner fields.
var aliases = map[string][]string{
	pipeline.ColMarketoID:         {"id", "marketoid", "leadid"},
	pipeline.ColFirstName:         {"firstname"},
	pipeline.ColLastName:          {"lastname"},
	pipeline.ColEmail:             {"email", "emailaddress"},
	pipeline.ColPhone:             {"phone", "phonenumber"},
	pipeline.ColCompany:           {"company", "companyname"},
	pipeline.ColTitle:             {"title", "jobtitle"},
	pipeline.ColLinkedInURL:       {"linkedinprofileurl", "marketosociallinkedinprofileurl", "linkedinurl"},
	pipeline.ColSource:            {"leadsource", "source"},
	pipeline.ColSFDCLeadID:        {"sfdcleadid"},
	pipeline.ColSFDCContactID:     {"sfdccontactid"},
	pipeline.ColSFDCAccountID:     {"sfdcaccountid"},
	pipeline.ColSFDCOpportunityID: {"sfdcopptyid", "sfdcopportunityid"},
	pipeline.ColSalesOwnerID: {
		"sfdcleadownerid", "sfdccontactownerid", "contactownerid",
		"salesownerid", "externalsalespersonid", "leadowneremailaddress",
	},
	pipeline.ColSFDCType:     {"sfdctype"},
	pipeline.ColUnsubscribed: {"unsubscribed"},
	pipeline.ColUpdatedAt:    {"updatedat"},
	pipeline.ColCreatedAt:    {"createdat"},
}

// NormalizeHeader folds a header the way docs/design.md matches them:
// case-insensitive, ignoring spaces, '_' and '-'.
func NormalizeHeader(h string) string {
	h = strings.TrimPrefix(h, "\ufeff")
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		switch r {
		case ' ', '_', '-', '\t':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// spelling is a normalised alias and the raw column and priority it maps to.
type spelling struct {
	col      int // index in pipeline.RawSchema
	priority int // position among the column's aliases
}

var spellings = func() map[string]spelling {
	m := map[string]spelling{}
	for col, names := range aliases {
		for i, n := range names {
			m[n] = spelling{col: pipeline.RawIndex(col), priority: i}
		}
	}
	return m
}()

// Mapping tells, for one input file, which source columns feed each raw
// column. Sources[c] lists the input column positions for raw column c in
// priority order; the first non-NULL value wins.
type Mapping struct {
	Sources [][]int
	Unknown []string // input headers that feed nothing, as written
	// headers are the input headers as written, by position.
	headers []string
}

// column returns the raw column input position pos feeds, or -1.
func (m *Mapping) column(pos int) int {
	for c, srcs := range m.Sources {
		if slices.Contains(srcs, pos) {
			return c
		}
	}
	return -1
}

// header returns the input header at pos as written, or "column N"
// (1-based) for a column without one: a field-level reject must name its
// field, since one with no field counts as a rejected row.
func (m *Mapping) header(pos int) string {
	if pos < len(m.headers) && m.headers[pos] != "" {
		return m.headers[pos]
	}
	return "column " + strconv.Itoa(pos+1)
}

// requiredSpellings are the spellings of the required columns a user
// types, for the missing-column error: the REST name first, then the UI
// display name (what the Bulk Lead Extract and the Marketo UI write).
// TestRequiredSpellings checks each folds to an alias of its column.
var requiredSpellings = map[string][]string{
	pipeline.ColMarketoID: {"id", "Marketo ID", "Lead ID"},
	pipeline.ColEmail:     {"email", "Email Address"},
	pipeline.ColSalesOwnerID: {"sfdcLeadOwnerId", "sfdcContactOwnerId", "Contact Owner Id",
		"salesOwnerId", "externalSalesPersonId", "leadOwnerEmailAddress"},
}

// MissingColumnError is returned when a file lacks columns actsync cannot
// work without. It names the file, every missing field with the spellings
// that would have been accepted, and the headers found.
type MissingColumnError struct {
	File    string
	Missing []string // raw column names (pipeline.Col*), in the order of required
	Found   []string // the file's headers, as written
}

// maxFoundInError caps the headers a MissingColumnError message lists: a
// Bulk Lead Extract can have 129 columns, and the message is one line.
const maxFoundInError = 12

// Accepted returns the spellings accepted for a missing field.
func (e *MissingColumnError) Accepted(field string) []string { return requiredSpellings[field] }

func (e *MissingColumnError) Error() string {
	var missing []string
	for _, f := range e.Missing {
		missing = append(missing, fmt.Sprintf("%s (%s)", f, strings.Join(requiredSpellings[f], ", ")))
	}
	known := false
	for _, h := range e.Found {
		_, ok := spellings[NormalizeHeader(h)]
		known = known || ok
	}
	var found string
	switch {
	case !known:
		// The first line is likely data (a headerless export): its values
		// are personal data and stay out of the message.
		found = fmt.Sprintf("%d columns, none a known header: is the first line data?", len(e.Found))
	case len(e.Found) > maxFoundInError:
		found = fmt.Sprintf("%d columns: %s, and %d more", len(e.Found),
			strings.Join(e.Found[:maxFoundInError], ", "), len(e.Found)-maxFoundInError)
	default:
		found = fmt.Sprintf("%d columns: %s", len(e.Found), strings.Join(e.Found, ", "))
	}
	return fmt.Sprintf("%s: no column for %s; found %s", e.File, strings.Join(missing, "; "), found)
}

// required are the raw columns every tabular file must have.
var required = []string{pipeline.ColMarketoID, pipeline.ColEmail, pipeline.ColSalesOwnerID}

// matchHeader builds the Mapping of a header row. With strict set, a missing
// required column is an error; JSON Lines objects may omit null keys, so
// their mapping is built without it.
func matchHeader(file string, header []string, strict bool) (Mapping, error) {
	m := Mapping{Sources: make([][]int, len(pipeline.RawSchema.Fields()))}
	m.headers = make([]string, len(header))
	for i, h := range header {
		m.headers[i] = strings.TrimPrefix(h, "\ufeff")
	}
	prio := make([][]int, len(m.Sources))
	for pos, h := range header {
		s, ok := spellings[NormalizeHeader(h)]
		if !ok {
			m.Unknown = append(m.Unknown, strings.TrimPrefix(h, "\ufeff"))
			continue
		}
		// Keep Sources[c] sorted by alias priority, then by position.
		i := len(m.Sources[s.col])
		for i > 0 && prio[s.col][i-1] > s.priority {
			i--
		}
		m.Sources[s.col] = insertAt(m.Sources[s.col], i, pos)
		prio[s.col] = insertAt(prio[s.col], i, s.priority)
	}
	if !strict {
		return m, nil
	}
	var missing []string
	for _, col := range required {
		if len(m.Sources[pipeline.RawIndex(col)]) == 0 {
			missing = append(missing, col)
		}
	}
	if len(missing) > 0 {
		found := make([]string, len(header))
		for i, h := range header {
			found[i] = strings.TrimPrefix(h, "\ufeff")
		}
		return Mapping{}, &MissingColumnError{File: file, Missing: missing, Found: found}
	}
	return m, nil
}

func insertAt(s []int, i, v int) []int {
	s = append(s, 0)
	copy(s[i+1:], s[i:])
	s[i] = v
	return s
}
