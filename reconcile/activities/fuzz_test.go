package activities

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/actsync/actsync/stages/extract"
)

// checkParse reads data as format and checks the invariants every input
// must keep: no panic, no leak, every record is a row or a reject, and
// every row's attributes are NULL or one JSON object.
func checkParse(t *testing.T, data []byte, name string, format extract.Format) {
	path := writeFile(t, name, data)
	rows, rejects, err := readAll(t, path, format, BuiltinTypes())
	if err != nil {
		return // a whole-file error is a valid outcome
	}
	for _, r := range rows {
		if r.Attrs == "" {
			continue
		}
		var m map[string]any
		if json.Unmarshal([]byte(r.Attrs), &m) != nil {
			t.Fatalf("attributes are not a JSON object: %q", r.Attrs)
		}
		if r.GUID == "" || strings.TrimSpace(r.GUID) != r.GUID {
			t.Fatalf("bad guid %q", r.GUID)
		}
	}
	for _, r := range rejects {
		switch r.Reason {
		case ReasonMalformedRow, ReasonMalformedAttributes, ReasonInvalidActivityDate:
		default:
			t.Fatalf("unknown reason %q", r.Reason)
		}
	}
}

func FuzzCSVActivities(f *testing.F) {
	f.Add([]byte(header + `1,2,2026-11-02T09:30:00Z,39,,,,"{""Sent By"":""a""}",` + "\n"))
	f.Add([]byte("marketoGUID,leadId,activityDate,activityTypeId,campaignId,primaryAttributeValueId,primaryAttributeValue, attributes\n" +
		`122323,6,2013-09-26T06:56:35+0000,12,11,6,Owyliphys Iledil,[{"name":"Source Type","value":"Web page visit"}]` + "\n"))
	f.Add([]byte(header + `3,,2026-11-02T09:30:00Z,41,,,,[{"name":"Email","value":"a,b"},{"name":"x","value":","}]` + "\n\"\n"))
	f.Add([]byte(header + "4,1,2026-11-02,32,,,,\"{\"\"Merge IDs\"\":[1,2]}\"\r\n"))
	// Flattened attributes, one column each.
	f.Add([]byte("marketoGUID,leadId,activityDate,activityTypeId,attributes,Sent By,merge_ids,Email\n5,1,2026-11-02T09:30:00Z,32,\"{\"\"Sent By\"\":1}\",x,[7],null\n6,2,2026-11-02T09:30:00Z,39,,\"a\"\"b\",,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParse(t, data, "a.csv", extract.CSV)
	})
}

func FuzzJSONLActivities(f *testing.F) {
	f.Add([]byte(`{"id":1,"marketoGUID":"1","leadId":2,"activityDate":"2026-11-02T09:30:00Z","activityTypeId":39,"attributes":[{"name":"Sent By","value":"a"}]}` + "\n"))
	f.Add([]byte(`{"id":2,"leadId":null,"activityDate":"2026-11-02T09:30:00+0000","activityTypeId":"37","attributes":{"Email":"x"}}`))
	f.Add([]byte("[1,2]\n{}\n\n{\"attributes\":\"[\"}\n"))
	// JSON documents (extract.SniffJSON): a REST response and an array.
	f.Add([]byte("{\n  \"requestId\": \"1#2\",\n  \"success\": true,\n  \"result\": [\n    {\"id\": 3, \"leadId\": 2, \"activityDate\": \"2026-11-02T09:30:00Z\", \"activityTypeId\": 10},\n    7\n  ]\n}\n"))
	f.Add([]byte(`[{"marketoGUID":"4","leadId":2,"activityDate":"2026-11-02T09:30:00Z","activityTypeId":39,"attributes":{"Email":"x"}}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkParse(t, data, "a.jsonl", extract.JSONL)
	})
}
