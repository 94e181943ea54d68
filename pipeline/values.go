package pipeline

import "time"

// timestampLayouts are the spellings of a time that Marketo exports and the
// tools around them write: RFC 3339 with Z or an offset (the Bulk Extract),
// +0000 without a colon (older exports), and the naive "YYYY-MM-DD hh:mm:ss"
// of warehouse copies and Parquet text, read as UTC.
var timestampLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02",
}

// ParseTimestamp reads a timestamp in any of the accepted layouts and
// returns it in UTC.
func ParseTimestamp(s string) (time.Time, bool) {
	for _, layout := range timestampLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
