package marketo

import (
	"encoding/csv"
	"io"
	"strings"
	"testing"
)

// csvRecords counts records after the header the way encoding/csv reads
// them; ok is false for input it rejects.
func csvRecords(data string) (int64, bool) {
	r := csv.NewReader(strings.NewReader(data))
	r.FieldsPerRecord = -1
	var n int64
	for {
		_, err := r.Read()
		if err == io.EOF {
			return max(n-1, 0), true
		}
		if err != nil {
			return 0, false
		}
		n++
	}
}

func countString(data string, chunk int) int64 {
	var rc recordCounter
	for len(data) > 0 {
		k := min(chunk, len(data))
		rc.Write([]byte(data[:k]))
		data = data[k:]
	}
	return rc.records()
}

func TestRecordCounter(t *testing.T) {
	tests := []struct {
		name, in string
		want     int64
	}{
		{"empty", "", 0},
		{"header only", "id,email\n", 0},
		{"header without newline", "id,email", 0},
		{"two rows", "id,email\n1,a\n2,b\n", 2},
		{"last row without newline", "id,email\n1,a\n2,b", 2},
		{"CRLF", "id,email\r\n1,a\r\n2,b\r\n", 2},
		{"quoted newline and comma", "id,attributes\n1,\"{\"\"a\"\":\"\"x,\ny\"\"}\"\n2,\"\"\n", 2},
		{"blank lines", "id\n\n1\n\r\n2\n\n", 2},
		{"null values", "firstName,lastName,email,cookies\nRussell,Wilson,null,_mch-localhost-1536605780000-12105\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, chunk := range []int{1, 3, 1 << 20} {
				if got := countString(tt.in, chunk); got != tt.want {
					t.Errorf("chunks of %d: %d records, want %d", chunk, got, tt.want)
				}
			}
			if want, ok := csvRecords(tt.in); ok && want != tt.want {
				t.Errorf("encoding/csv reads %d records; the table says %d", want, tt.want)
			}
		})
	}
}

// FuzzRecordCounter: on every input encoding/csv accepts, the counter
// agrees with it, however the bytes are split into writes.
func FuzzRecordCounter(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "a\n\"x\ny\"\n", "a\r\n\"\"\"\"\r\n", "a\n\n\n", "a\n1,\"2\"\n3"} {
		f.Add(s, 2)
	}
	f.Fuzz(func(t *testing.T, data string, chunk int) {
		want, ok := csvRecords(data)
		if !ok {
			return
		}
		chunk = 1 + (chunk&0xff)%64
		if got := countString(data, chunk); got != want {
			t.Errorf("%q: counter %d, encoding/csv %d", data, got, want)
		}
	})
}
