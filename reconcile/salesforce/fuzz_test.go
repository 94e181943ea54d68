package salesforce

import (
	"strings"
	"testing"

	"github.com/actsync/actsync/stages/extract"
)

// checkParse reads data as input which%4 and checks the invariants every
// input must keep: no panic, no leak (readAll's checked allocator), every
// row is a staged row or a reject (readAll), every reject has a line and a
// known kind of reason.
func checkParse(t *testing.T, which uint8, data []byte, format extract.Format) {
	in := Inputs[int(which)%len(Inputs)]
	_, rejects, err := readAll(t, in, format, data, 3)
	if err != nil {
		return // a whole-file error is a valid outcome
	}
	for _, r := range rejects {
		ok := r.Reason == ReasonMalformedRow || r.Reason == ReasonMissingPerson ||
			r.Reason == ReasonNotLeadOrContact || r.Reason == ReasonNotTask ||
			strings.HasPrefix(r.Reason, "missing_") || strings.HasPrefix(r.Reason, "invalid_")
		if !ok || r.Line <= 0 {
			t.Fatalf("bad reject %+v", r)
		}
	}
}

func FuzzSalesforceCSV(f *testing.F) {
	for i, in := range sqlInputs {
		for n, c := range Inputs {
			if c == i {
				f.Add(uint8(n), []byte(in))
			}
		}
	}
	f.Add(uint8(0), []byte("task_id,email,subject,updated_at\n\"a\nb\",x@y,\"s\"\"q\",2026-01-01\n"))
	f.Add(uint8(3), []byte("Id,HasOptedOutOfEmail\n003000000000001,1\n003000000000001AAA,\"yes\n"))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		checkParse(t, which, data, extract.CSV)
	})
}

func FuzzSalesforceJSONL(f *testing.F) {
	f.Add(uint8(0), []byte(`{"taskId":"A-1","marketoId":1,"subject":"s","updatedAt":"2026-11-19T09:00:00Z","salesforceTaskId":"00T5g00000Tk101"}`))
	f.Add(uint8(1), []byte(`{"Id":"00T5g00000Tk101","Subject":"s","WhoId":null,"LastModifiedDate":"2026-11-19T15:00:00.000+0000","IsDeleted":true}`+"\n"+`{"Id":1}`))
	f.Add(uint8(2), []byte(`{"marketoId":5,"email":"a@b"}`+"\n\n"+`{"email":["x"]}`+"\n"+`nope`))
	f.Add(uint8(3), []byte(`{"Id":"00Q5g00000DkT3aEAF","HasOptedOutOfEmail":"true","id":"x"}`))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		checkParse(t, which, data, extract.JSONL)
	})
}
