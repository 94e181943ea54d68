package pipeline_test

import (
	"testing"
	"time"

	"github.com/actsync/actsync/pipeline"
)

func TestParseTimestamp(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, mo, d, h, mi, s, ns, time.UTC)
	}
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		// The Bulk Extract and REST API: RFC 3339 with Z or an offset.
		{"2024-05-06T07:08:09Z", utc(2024, 5, 6, 7, 8, 9, 0), true},
		{"2024-05-06T07:08:09.123456789Z", utc(2024, 5, 6, 7, 8, 9, 123456789), true},
		{"2024-05-06T09:08:09+02:00", utc(2024, 5, 6, 7, 8, 9, 0), true},
		{"2024-05-06T02:08:09.5-05:00", utc(2024, 5, 6, 7, 8, 9, 500000000), true},
		{"2024-12-31T23:30:00-01:00", utc(2025, 1, 1, 0, 30, 0, 0), true},
		// Older exports: +0000 without a colon.
		{"2024-05-06T07:08:09+0000", utc(2024, 5, 6, 7, 8, 9, 0), true},
		{"2024-05-06T09:08:09.25+0200", utc(2024, 5, 6, 7, 8, 9, 250000000), true},
		// A space instead of T, with a zone.
		{"2024-05-06 07:08:09Z", utc(2024, 5, 6, 7, 8, 9, 0), true},
		{"2024-05-06 09:08:09+02:00", utc(2024, 5, 6, 7, 8, 9, 0), true},
		{"2024-05-06 09:08:09+0200", utc(2024, 5, 6, 7, 8, 9, 0), true},
		// Naive times are UTC.
		{"2024-05-06 07:08:09", utc(2024, 5, 6, 7, 8, 9, 0), true},
		{"2024-05-06 07:08:09.000001", utc(2024, 5, 6, 7, 8, 9, 1000), true},
		{"2024-05-06T07:08:09", utc(2024, 5, 6, 7, 8, 9, 0), true},
		{"2024-05-06T07:08:09.75", utc(2024, 5, 6, 7, 8, 9, 750000000), true},
		{"2024-05-06", utc(2024, 5, 6, 0, 0, 0, 0), true},
		{"2024-02-29T12:00:00Z", utc(2024, 2, 29, 12, 0, 0, 0), true},
		// Not timestamps.
		{"", time.Time{}, false},
		{"yesterday", time.Time{}, false},
		{"null", time.Time{}, false},
		{"2024-05-06T07:08", time.Time{}, false},
		{"2024-13-01T00:00:00Z", time.Time{}, false},
		{"2023-02-29T00:00:00Z", time.Time{}, false},
		{"2024-05-06T25:00:00Z", time.Time{}, false},
		{"05/06/2024 07:08:09", time.Time{}, false},
		{"1715000000", time.Time{}, false},
		{"2024-05-06T07:08:09Z trailing", time.Time{}, false},
		{" 2024-05-06T07:08:09Z", time.Time{}, false}, // extract trims; this does not
	}
	for _, tt := range tests {
		got, ok := pipeline.ParseTimestamp(tt.in)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("ParseTimestamp(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			continue
		}
		if ok && got.Location() != time.UTC {
			t.Errorf("ParseTimestamp(%q) in %v, want UTC", tt.in, got.Location())
		}
	}
}
