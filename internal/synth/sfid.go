package synth

import "math/bits"

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// sfidSpace is the number of distinct 6-character base62 tails: an id is
// prefix(3) + pod(2) + "0000" + tail(6) = 15 characters.
const sfidSpace = 62 * 62 * 62 * 62 * 62 * 62

// Salesforce key prefixes.
const (
	prefixLead    = "00Q"
	prefixContact = "003"
	prefixAccount = "001"
	prefixOppty   = "006"
	prefixUser    = "005"
	prefixQueue   = "00G"
)

var pods = [...]string{"5g", "8c", "0b", "Hs", "4x", "2E", "Dp", "7K"}

// Kinds of deliberately invalid ids.
const (
	sfidOK    = iota
	sfidShort // cut to 12 characters
	sfidDash  // a '-' inside
)

// sfid is the recipe of one Salesforce id; the zero value is "no id".
type sfid struct {
	prefix string
	tail   uint64 // < sfidSpace
	pod    uint8
	long   bool // write the 18-character form
	bad    uint8
}

func (s sfid) present() bool { return s.prefix != "" }

// scramble maps n to a seed-dependent position in [0, sfidSpace), injectively
// for n < sfidSpace (multiplication by a unit modulo 62^6 plus an offset).
func scramble(seed int64, kind string, n uint64) uint64 {
	const mul = 2654435761 // odd and not a multiple of 31, so a unit mod 62^6
	off := hash(seed, streamSFID, uint64(kind[2]), uint64(kind[1])) % sfidSpace
	hi, lo := bits.Mul64(n%sfidSpace, mul)
	_, r := bits.Div64(hi%sfidSpace, lo, sfidSpace)
	return (r + off) % sfidSpace
}

// newSFID returns the id number n of the given key prefix; ids of different
// n never collide.
func newSFID(seed int64, prefix string, n uint64, long bool) sfid {
	return sfid{
		prefix: prefix,
		tail:   scramble(seed, prefix, n),
		pod:    uint8(mix64(n+uint64(prefix[2])) % uint64(len(pods))),
		long:   long,
	}
}

// sfidSuffix returns the 3-character case-checksum suffix of a 15-character
// Salesforce id: for each 5-character chunk, bit i is set when character i is
// an upper-case letter, and the 5-bit value indexes "A..Z0..5".
func sfidSuffix(id15 []byte) [3]byte {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
	var out [3]byte
	for c := range 3 {
		v := 0
		for i := range 5 {
			if ch := id15[c*5+i]; ch >= 'A' && ch <= 'Z' {
				v |= 1 << i
			}
		}
		out[c] = alphabet[v]
	}
	return out
}

func appendBase62(b []byte, v uint64, width int) []byte {
	var tmp [11]byte
	for i := width - 1; i >= 0; i-- {
		tmp[i] = base62[v%62]
		v /= 62
	}
	return append(b, tmp[:width]...)
}

// append writes the id (nothing if absent).
func (s sfid) append(b []byte) []byte {
	if !s.present() {
		return b
	}
	start := len(b)
	b = append(b, s.prefix...)
	b = append(b, pods[s.pod]...)
	b = append(b, "0000"...)
	b = appendBase62(b, s.tail, 6)
	if s.long {
		suf := sfidSuffix(b[start : start+15])
		b = append(b, suf[:]...)
	}
	switch s.bad {
	case sfidShort:
		b = b[:start+12]
	case sfidDash:
		b[start+9] = '-'
	}
	return b
}
