package activities

import (
	"time"

	"github.com/actsync/actsync/pipeline"
)

// parseDate reads an activityDate. The Bulk Activity Extract writes
// "2006-01-02T15:04:05Z" (older exports "…+0000"): those are read digit by
// digit; anything else goes to pipeline.ParseTimestamp, which accepts every
// layout and gives the same result for these two.
func parseDate(s string) (time.Time, bool) {
	if len(s) == 20 && s[19] == 'Z' || len(s) == 24 && s[19:] == "+0000" {
		if t, ok := parseUTCSeconds(s[:19]); ok {
			return t, true
		}
	}
	return pipeline.ParseTimestamp(s)
}

// parseUTCSeconds reads "2006-01-02T15:04:05" as UTC, with time.Parse's
// range checks (a day past the month's end, hour 24, second 60 fail).
func parseUTCSeconds(s string) (time.Time, bool) {
	if s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	num := func(i, n int) int {
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, mo, d, h, mi, sec := num(0, 4), num(5, 2), num(8, 2), num(11, 2), num(14, 2), num(17, 2)
	if y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false // past the end of the month: let time.Parse say so
	}
	return t, true
}
