package activities

import (
	"strings"
	"testing"
)

func TestTypes(t *testing.T) {
	types := BuiltinTypes()
	for _, tt := range []struct {
		id             int32
		name, category string
		kind           string
	}{
		{39, "Send Sales Email", CategorySalesEmail, KindSendSalesEmail},
		{41, "Click Sales Email", CategorySalesEmail, KindClickSalesEmail},
		{45, "Receive Sales Email", CategorySalesEmail, KindReplySalesEmail},
		{48, "Sales Email Bounced", CategorySalesEmail, KindSalesEmailBounced},
		{9, "Unsubscribe Email", CategoryMarketingEmail, ""},
		{32, "Merge Leads", CategoryLifecycle, ""},
		{37, "Delete Lead", CategoryLifecycle, ""},
		{46, "Interesting Moment", CategoryInterestingMoment, ""},
		{1, "Visit Webpage", CategoryWeb, ""},
		{2, "Fill Out Form", CategoryForm, ""},
		{104, "Change Status in Progression", CategoryOther, ""},
	} {
		got, ok := types.Lookup(tt.id)
		if !ok || got != (Type{tt.name, tt.category, tt.kind}) {
			t.Errorf("Lookup(%d) = %+v, %v", tt.id, got, ok)
		}
	}
	if got, ok := types.Lookup(100123); ok || got.Category != CategoryOther {
		t.Errorf("unknown id: %+v %v", got, ok)
	}

	// A types.json body with Adobe's alternate spellings, an override and a
	// custom type.
	n, err := types.loadTypes([]byte(`{"requestId":"1#1","success":true,"result":[
		{"id":501,"name":"Sales Call Received","apiName":"x","attributes":[]},
		{"id":502,"name":"added to  sales campaign"},
		{"id":503,"name":"REMOVED_FROM_SALES_CAMPAIGN"},
		{"id":504,"name":"Replied to Sales Email"},
		{"id":100001,"name":"Attended Webinar Booth"}]}`))
	if err != nil || n != 5 {
		t.Fatalf("loadTypes: %d, %v", n, err)
	}
	for id, want := range map[int32]Type{
		501:    {"Received Sales Call", CategorySalesCall, KindSalesCall},
		502:    {"Add to Sales Campaign", CategorySalesCampaign, KindAddToCampaign},
		503:    {"Remove from Sales Campaign", CategorySalesCampaign, KindRemoveCampaign},
		504:    {"Receive Sales Email", CategorySalesEmail, KindReplySalesEmail},
		100001: {"Attended Webinar Booth", CategoryOther, ""},
	} {
		if got, _ := types.Lookup(id); got != want {
			t.Errorf("Lookup(%d) = %+v, want %+v", id, got, want)
		}
	}
	for _, bad := range []string{`{"success":false,"errors":[{"code":"601","message":"Access token invalid"}]}`, `{"result":[]}`, `[{"id":"x","name":"a"}]`, `nope`} {
		if _, err := BuiltinTypes().loadTypes([]byte(bad)); err == nil {
			t.Errorf("loadTypes(%s): no error", bad)
		} else if strings.Contains(err.Error(), "Access token") {
			t.Errorf("error repeats the API message: %v", err)
		}
	}
}

func TestSalesforceOptions(t *testing.T) {
	var o Options
	if err := ParseSalesforceLog("emails, calls", &o); err != nil || !o.LogEmails || !o.LogCalls {
		t.Errorf("emails,calls: %+v %v", o, err)
	}
	if err := ParseSalesforceLog("none", &o); err != nil || o.LogEmails || o.LogCalls {
		t.Errorf("none: %+v %v", o, err)
	}
	for _, bad := range []string{"tasks", "sms"} {
		if err := ParseSalesforceLog(bad, &o); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	if err := CheckTaskSubject(DefaultTaskSubject + " by {{sent_by}}"); err != nil {
		t.Error(err)
	}
	if err := CheckTaskSubject("{{activity}}"); err == nil {
		t.Error("unknown placeholder accepted")
	}
}
