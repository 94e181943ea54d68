package activities

import (
	"slices"
	"testing"

	"github.com/actsync/actsync/pipeline"
)

var attrSamples = []string{
	`{}`, `[]`, ` { } `, `{"Email":" Ann@X.example "}`, `{"email":"a@b","Sent by":"x"}`,
	`{"Sent By" : "a" , "Link":"https://x/?a=1&b=2"}`, `{"a":1,"b":-0.5e+3,"c":true,"d":false,"e":null}`,
	`{"a":"caf\u00e9 \"q\" \\ \/"}`, `{"a":"Müller"}`, `{"Müller":1}`, `{"a<b":1}`, `{" a":1}`,
	`{"a":1,"A":2}`, `{"Email":"x","email":"y"}`, `{"a":{"b":1}}`, `{"a":[1,2]}`, `{"a":01}`, `{"a":1,}`,
	`{"a":1}x`, `{"a"}`, `{"a":"x\ty"}`, `{"a":"\x"}`, `{"Merge IDs":[6, 8, 9]}`, `{"merge ids":"[9]"}`,
	`{"Merge IDs":"6,7"}`, `[{"name":"Sent By","value":"a"},{"value":2,"name":"Email"}]`,
	`[{"name":"x","value":null}]`, `[{"name":"x"}]`, `[{"Name":"x","value":1}]`, `[{"name":1,"value":1}]`,
	`[{"name":"x","value":1,"extra":2}]`, `[{"name":"x","value":1},{"name":"x","value":2}]`,
	`[{"name":" x ","value":1}]`, `[{"name":"a\u0041","value":1}]`, `[1]`, `["x"]`, `[{"name":"x","value":1}] `,
	`{"Sales Call Duration (SIA)":"2:05"}`, `{"sales_call-duration":"1"}`, "{\"a\":\"\xff\"}",
	`{"a":-}`, `{"a":1.}`, `{"a":1e}`, `{"a":tru}`, `{"a":nul}`, `{"a":"unterminated}`, `{"a":"\u12"}`,
	"{\n\t\"a\" :\r\n 1\n}", `{"":1}`,
}

// TestAttrsFastMatchesSlow checks that whenever the fast path takes an
// input, it writes what the encoding/json path writes.
func TestAttrsFastMatchesSlow(t *testing.T) {
	for _, s := range attrSamples {
		checkAttrsFast(t, s)
	}
}

func checkAttrsFast(t *testing.T, s string) {
	t.Helper()
	var f, w attrSet
	fok, ferr := f.normalise(s)
	wok, werr := w.slow(trimmedAttrs(s))
	if trimmedAttrs(s) == "" || trimmedAttrs(s) == "null" {
		return
	}
	if fok != wok || (ferr == nil) != (werr == nil) {
		t.Fatalf("%q: fast (%v, %v), slow (%v, %v)", s, fok, ferr, wok, werr)
	}
	if !wok {
		return
	}
	if string(f.out) != string(w.out) || f.emailText() != w.emailText() ||
		!slices.Equal(f.mergeIDs(nil), w.mergeIDs(nil)) {
		t.Fatalf("%q:\nfast %s email %q merge %v\nslow %s email %q merge %v", s,
			f.out, f.emailText(), f.mergeIDs(nil), w.out, w.emailText(), w.mergeIDs(nil))
	}
}

func FuzzAttrs(f *testing.F) {
	for _, s := range attrSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkAttrsFast(t, s) })
}

// TestParseDate checks the fast path against pipeline.ParseTimestamp.
func TestParseDate(t *testing.T) {
	for _, s := range []string{
		"2026-11-02T09:00:00Z", "2026-11-02T09:00:00+0000", "2024-02-29T23:59:59Z", "2025-02-29T00:00:00Z",
		"2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-11-02T24:00:00Z",
		"2026-11-02T09:60:00Z", "2026-11-02T09:00:60Z", "2026-11-02T09:00:00+0100", "2026-11-02 09:00:00",
		"2026-11-02T09:00:00.5Z", "0000-01-01T00:00:00Z", "2026-1x-02T09:00:00Z", "2026-11-02t09:00:00Z",
		"+026-11-02T09:00:00Z", "2026-11-02T09:00:00z", "not a date",
	} {
		got, gok := parseDate(s)
		want, wok := pipeline.ParseTimestamp(s)
		if gok != wok || !got.Equal(want) || got.Location() != want.Location() {
			t.Errorf("parseDate(%q) = %v, %v; ParseTimestamp: %v, %v", s, got, gok, want, wok)
		}
	}
}
