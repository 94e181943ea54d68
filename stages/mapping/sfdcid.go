package mapping

// checksumAlphabet is the alphabet of the 3-character suffix that turns a
// case-sensitive 15-character Salesforce id into its case-insensitive
// 18-character form.
const checksumAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

// NormalizeSFDCID returns the 18-character form of a Salesforce id: a
// 15-character id gets its checksum suffix, an 18-character id is kept as
// is. Anything else (wrong length, a character outside [0-9A-Za-z]) is not
// an id and ok is false.
func NormalizeSFDCID(id string) (norm string, ok bool) {
	if len(id) == 18 {
		if !alphanumeric(id) {
			return "", false
		}
		return id, true
	}
	b, ok := AppendSFDCID(nil, id)
	return string(b), ok
}

// AppendSFDCID appends the 18-character form of id to dst, as
// NormalizeSFDCID computes it, without allocating when dst has room. When
// id is not a Salesforce id it returns dst unchanged and false.
func AppendSFDCID(dst []byte, id string) ([]byte, bool) {
	if (len(id) != 15 && len(id) != 18) || !alphanumeric(id) {
		return dst, false
	}
	dst = append(dst, id...)
	if len(id) == 18 {
		return dst, true
	}
	for chunk := 0; chunk < 3; chunk++ {
		n := 0
		for i := 0; i < 5; i++ {
			if c := id[chunk*5+i]; 'A' <= c && c <= 'Z' {
				n |= 1 << i
			}
		}
		dst = append(dst, checksumAlphabet[n])
	}
	return dst, true
}

func alphanumeric(id string) bool {
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}
