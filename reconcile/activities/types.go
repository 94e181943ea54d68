package activities

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Categories of activities: what the Smart Grid groups by.
const (
	CategorySalesEmail        = "sales_email"
	CategorySalesCall         = "sales_call"
	CategorySalesCampaign     = "sales_campaign"
	CategoryMarketingEmail    = "marketing_email"
	CategoryWeb               = "web"
	CategoryForm              = "form"
	CategoryInterestingMoment = "interesting_moment"
	CategoryLifecycle         = "lifecycle"
	CategoryOther             = "other"
)

// Categories lists every category in report order.
var Categories = []string{
	CategorySalesEmail, CategorySalesCall, CategorySalesCampaign, CategoryMarketingEmail,
	CategoryWeb, CategoryForm, CategoryInterestingMoment, CategoryLifecycle, CategoryOther,
}

// Sales kinds: the eight activity kinds that Sales Insight Actions logs to
// Marketo (DESIGN R6).
const (
	KindSendSalesEmail    = "send_sales_email"
	KindOpenSalesEmail    = "open_sales_email"
	KindClickSalesEmail   = "click_sales_email"
	KindReplySalesEmail   = "reply_sales_email"
	KindSalesEmailBounced = "sales_email_bounced"
	KindSalesCall         = "received_sales_call"
	KindAddToCampaign     = "added_to_sales_campaign"
	KindRemoveCampaign    = "removed_from_sales_campaign"
)

// Type is what actsync knows about one activity type.
type Type struct {
	Name     string // canonical name ("Send Sales Email"), or the name the types file gave
	Category string
	Kind     string // sales kind, "" for the others
}

// known is every type actsync gives a category or a role, by canonical
// name, with the other spellings found in Adobe's own pages. Types absent
// from this list get the category other.
var known = []struct {
	name, category, kind string
	aliases              []string
}{
	{"Visit Webpage", CategoryWeb, "", []string{"Visited Web Page", "Visit Web Page"}},
	{"Click Link", CategoryWeb, "", []string{"Clicked Link"}},
	{"Fill Out Form", CategoryForm, "", []string{"Filled Out Form"}},
	{"Send Email", CategoryMarketingEmail, "", []string{"Sent Email"}},
	{"Email Delivered", CategoryMarketingEmail, "", nil},
	{"Email Bounced", CategoryMarketingEmail, "", nil},
	{"Email Bounced Soft", CategoryMarketingEmail, "", nil},
	{"Unsubscribe Email", CategoryMarketingEmail, "", []string{"Unsubscribed Email", "Unsubscribed from Email"}},
	{"Open Email", CategoryMarketingEmail, "", []string{"Opened Email"}},
	{"Click Email", CategoryMarketingEmail, "", []string{"Clicked Email"}},
	{"New Lead", CategoryLifecycle, "", nil},
	{"Convert Lead", CategoryLifecycle, "", nil},
	{"Delete Lead from SFDC", CategoryLifecycle, "", nil},
	{"SFDC Merge Leads", CategoryLifecycle, "", nil},
	{"Merge Leads", CategoryLifecycle, "", []string{"Merged Leads", "Merge Lead"}},
	{"Delete Lead", CategoryLifecycle, "", []string{"Deleted Lead"}},
	{"Interesting Moment", CategoryInterestingMoment, "", []string{"Interesting Moments"}},
	{"Send Sales Email", CategorySalesEmail, KindSendSalesEmail, []string{"Sent Sales Email"}},
	{"Open Sales Email", CategorySalesEmail, KindOpenSalesEmail, []string{"Opened Sales Email"}},
	{"Click Sales Email", CategorySalesEmail, KindClickSalesEmail, []string{"Clicked Sales Email", "Clicked Link in Sales Email", "Click Link in Sales Email"}},
	{"Receive Sales Email", CategorySalesEmail, KindReplySalesEmail, []string{"Reply to Sales Email", "Replied to Sales Email", "Received Sales Email", "Sales Email Replied", "Sales Email Received"}},
	{"Sales Email Bounced", CategorySalesEmail, KindSalesEmailBounced, []string{"Bounced Sales Email"}},
	{"Received Sales Call", CategorySalesCall, KindSalesCall, []string{"Sales Call Received", "Receive Sales Call", "Sales Call"}},
	{"Add to Sales Campaign", CategorySalesCampaign, KindAddToCampaign, []string{"Added to Sales Campaign", "Add to Sales Insight Campaign"}},
	{"Remove from Sales Campaign", CategorySalesCampaign, KindRemoveCampaign, []string{"Removed from Sales Campaign", "Remove from Sales Insight Campaign"}},
}

// Canonical names of the lifecycle types the reconcile step acts on.
const (
	TypeMergeLeads       = "Merge Leads"
	TypeDeleteLead       = "Delete Lead"
	TypeUnsubscribeEmail = "Unsubscribe Email"
)

// nameKey is how type names are compared: case-insensitive, ignoring
// spaces, '_', '-', and a trailing "(SIA)" as activity_types.csv writes it.
func nameKey(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimSuffix(s, "(sia)")
	var b strings.Builder
	for _, r := range s {
		switch r {
		case ' ', '\t', '_', '-':
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

var byName = func() map[string]Type {
	m := map[string]Type{}
	for _, k := range known {
		t := Type{Name: k.name, Category: k.category, Kind: k.kind}
		m[nameKey(k.name)] = t
		for _, a := range k.aliases {
			m[nameKey(a)] = t
		}
	}
	return m
}()

// lookupName returns the type a name denotes; an unknown name keeps its
// spelling and gets the category other.
func lookupName(name string) Type {
	if t, ok := byName[nameKey(name)]; ok {
		return t
	}
	return Type{Name: strings.TrimSpace(name), Category: CategoryOther}
}

//go:embed activity_types.csv
var builtinCSV []byte

// Types resolves activity type ids. The zero value is not usable: build it
// with BuiltinTypes, then add an instance's types with LoadTypesFile.
type Types struct {
	byID map[int32]Type
}

// BuiltinTypes is the table of the public type ids (activity_types.csv,
// embedded). The three SIA types without a public id (Received Sales Call,
// Add to / Remove from Sales Campaign) are not in it: they resolve only
// through a types file.
func BuiltinTypes() *Types {
	t := &Types{byID: map[int32]Type{}}
	r := csv.NewReader(bytes.NewReader(builtinCSV))
	recs, err := r.ReadAll()
	if err != nil {
		panic("activities: embedded activity_types.csv: " + err.Error())
	}
	for _, rec := range recs[1:] {
		id, err := strconv.ParseInt(rec[0], 10, 32)
		if err != nil { // "?" and "100000+": no public id
			continue
		}
		t.byID[int32(id)] = lookupName(rec[1])
	}
	return t
}

// Lookup returns the type of id; ok is false for an id that neither the
// built-in table nor a types file knows (its category is then other).
func (t *Types) Lookup(id int32) (Type, bool) {
	ty, ok := t.byID[id]
	if !ok {
		return Type{Category: CategoryOther}, false
	}
	return ty, true
}

// IDs returns, sorted, the ids of the types t knows for which keep is
// true: what to ask a Marketo activity export for.
func (t *Types) IDs(keep func(Type) bool) []int32 {
	var ids []int32
	for id, ty := range t.byID {
		if keep(ty) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// typesBody is the part of the GET /rest/v1/activities/types.json response
// that matters here.
type typesBody struct {
	Success *bool `json:"success"`
	Result  []struct {
		ID   json.Number `json:"id"`
		Name string      `json:"name"`
	} `json:"result"`
	Errors []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"errors"`
}

// LoadTypesFile adds the types of a GET /rest/v1/activities/types.json
// response body (or a bare array of its result objects). An id in the file
// overrides the built-in table: the file describes the instance. It returns
// the number of types read.
func (t *Types) LoadTypesFile(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	n, err := t.loadTypes(data)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return n, nil
}

func (t *Types) loadTypes(data []byte) (int, error) {
	var body typesBody
	data = bytes.TrimPrefix(bytes.TrimSpace(data), []byte("\ufeff"))
	if bytes.HasPrefix(data, []byte("[")) {
		data = append(append([]byte(`{"result":`), data...), '}')
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		return 0, fmt.Errorf("not an activity types response: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return 0, errors.New("not an activity types response: data after the JSON value")
	}
	if body.Success != nil && !*body.Success {
		if len(body.Errors) > 0 {
			return 0, fmt.Errorf("the response is an API error (%s)", body.Errors[0].Code)
		}
		return 0, errors.New("the response has success=false")
	}
	if len(body.Result) == 0 {
		return 0, errors.New("the response lists no activity types")
	}
	for i, r := range body.Result {
		id, err := strconv.ParseInt(r.ID.String(), 10, 32)
		if err != nil || strings.TrimSpace(r.Name) == "" {
			return 0, fmt.Errorf("result %d: needs an integer id and a name", i)
		}
		t.byID[int32(id)] = lookupName(r.Name)
	}
	return len(body.Result), nil
}
