package activities

// The fast path of attrSet.normalise. Most attributes are a flat JSON
// object (or the legacy array of {"name":…,"value":…}) with plain ASCII
// names and scalar values. For those, the normalised object can be written
// in one pass over the input bytes, without decoding into Go values and
// encoding again: names are copied (rewritten to their canonical spelling
// where one applies) and values are copied with the insignificant
// whitespace dropped, which is what the slow path's json.Marshal of the
// name and json.Compact of the value produce for such input. Anything else
// (escapes or non-ASCII in a name, a nested value, a repeated name, a
// grammar error) leaves the decision to the slow path, which alone reports
// malformed attributes.

// fast normalises s (trimmed, not empty) into a.out when it has the simple
// shape, and reports whether it did.
func (a *attrSet) fast(s string) bool {
	a.out = a.out[:0]
	a.names = a.names[:0]
	switch s[0] {
	case '{':
		return a.fastObject(s)
	case '[':
		return a.fastArray(s)
	}
	return false
}

func (a *attrSet) fastObject(s string) bool {
	return a.elements(s, '}', a.objectMember)
}

// fastArray handles the legacy [{"name":…,"value":…}, …].
func (a *attrSet) fastArray(s string) bool {
	return a.elements(s, ']', a.legacyMember)
}

// elements reads the object or array s, which opens at s[0] and must end
// with closer, as a list of elements separated by commas, and writes them
// as one object. Each element is read and written by elem, which gets the
// index where it starts and returns the index after it, white space
// skipped.
func (a *attrSet) elements(s string, closer byte, elem func(s string, i int) (int, bool)) bool {
	a.out = append(a.out, '{')
	i := skipWS(s, 1)
	if i < len(s) && s[i] == closer {
		return i+1 == len(s) && a.close()
	}
	for {
		var ok bool
		i, ok = elem(s, i)
		if !ok || i >= len(s) {
			return false
		}
		switch s[i] {
		case ',':
			i = skipWS(s, i+1)
		case closer:
			return i+1 == len(s) && a.close()
		default:
			return false
		}
	}
}

// objectMember writes the member "name": scalar of an object.
func (a *attrSet) objectMember(s string, i int) (int, bool) {
	name, value, j, ok := memberAt(s, i)
	return j, ok && a.member(name, value)
}

// legacyMember writes the element {"name":…,"value":…} of the legacy
// array: it has exactly the members "name" (a plain string) and "value" (a
// scalar), in either order.
func (a *attrSet) legacyMember(s string, i int) (int, bool) {
	if i >= len(s) || s[i] != '{' {
		return 0, false
	}
	i = skipWS(s, i+1)
	var name, value string
	var haveName, haveValue bool
	for k := 0; k < 2; k++ {
		key, v, j, ok := memberAt(s, i)
		if !ok {
			return 0, false
		}
		switch {
		case key == "name" && !haveName && v[0] == '"':
			name, haveName = v[1:len(v)-1], true
		case key == "value" && !haveValue:
			value, haveValue = v, true
		default:
			return 0, false
		}
		i = j
		if k == 0 {
			if i >= len(s) || s[i] != ',' {
				return 0, false
			}
			i = skipWS(s, i+1)
		}
	}
	if i >= len(s) || s[i] != '}' {
		return 0, false
	}
	// The name is a JSON string; it must be plain, as object keys are.
	if !plainText(name) || !a.member(name, value) {
		return 0, false
	}
	return skipWS(s, i+1), true
}

// memberAt reads "name": scalar at s[i], the name plain, and returns the
// name, the scalar as written and the index after it, white space skipped.
func memberAt(s string, i int) (name, value string, next int, ok bool) {
	name, j, ok := plainName(s, i)
	if !ok {
		return "", "", 0, false
	}
	i = skipWS(s, j)
	if i >= len(s) || s[i] != ':' {
		return "", "", 0, false
	}
	i = skipWS(s, i+1)
	end, ok := scalarEnd(s, i)
	if !ok {
		return "", "", 0, false
	}
	return name, s[i:end], skipWS(s, end), true
}

func (a *attrSet) close() bool {
	a.out = append(a.out, '}')
	return true
}

// member writes "name":value unless name, after canonicalisation, was
// written already: a repeated name is left to the slow path. A scalar has
// no insignificant whitespace inside, so it is copied as written.
func (a *attrSet) member(name, value string) bool {
	name = canonicalPlain(name)
	for _, n := range a.names {
		if n == name {
			return false
		}
	}
	if len(a.names) > 0 {
		a.out = append(a.out, ',')
	}
	a.names = append(a.names, name)
	a.out = append(a.out, '"')
	a.out = append(a.out, name...)
	a.out = append(a.out, '"', ':')
	a.out = append(a.out, value...)
	switch name {
	case "Email":
		a.email = value
	case "Merge IDs":
		a.merge = value
	}
	return true
}

func skipWS(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
			continue
		}
		break
	}
	return i
}

// plainName reads the JSON string at s[i] when it is plain: printable
// ASCII without escapes or the characters json.Marshal escapes (<, >, &),
// and without leading or trailing spaces. It returns the text between the
// quotes and the index after the closing quote.
func plainName(s string, i int) (string, int, bool) {
	if i >= len(s) || s[i] != '"' {
		return "", 0, false
	}
	j := i + 1
	for j < len(s) && s[j] != '"' {
		j++
	}
	if j >= len(s) || !plainText(s[i+1:j]) {
		return "", 0, false
	}
	return s[i+1 : j], j + 1, true
}

// plainText reports whether json.Marshal writes name between quotes as it
// is and strings.TrimSpace leaves it alone.
func plainText(name string) bool {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return len(name) == 0 || (name[0] != ' ' && name[len(name)-1] != ' ')
}

// scalarEnd returns the end of the JSON string, number, true, false or
// null at s[i], validated as encoding/json does (strings: no control
// characters, valid escapes; other bytes as they are).
func scalarEnd(s string, i int) (int, bool) {
	if i >= len(s) {
		return 0, false
	}
	switch c := s[i]; {
	case c == '"':
		j := i + 1
		for j < len(s) {
			c := s[j]
			switch {
			case c == '"':
				return j + 1, true
			case c < 0x20:
				return 0, false
			case c == '\\':
				if j+1 >= len(s) {
					return 0, false
				}
				switch s[j+1] {
				case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
					j += 2
				case 'u':
					if j+6 > len(s) {
						return 0, false
					}
					for _, h := range []byte(s[j+2 : j+6]) {
						if !isHex(h) {
							return 0, false
						}
					}
					j += 6
				default:
					return 0, false
				}
			default:
				j++
			}
		}
		return 0, false
	case c == '-' || (c >= '0' && c <= '9'):
		j := i
		if s[j] == '-' {
			j++
		}
		switch {
		case j < len(s) && s[j] == '0':
			j++
		case j < len(s) && s[j] >= '1' && s[j] <= '9':
			for j < len(s) && isDigit(s[j]) {
				j++
			}
		default:
			return 0, false
		}
		if j < len(s) && s[j] == '.' {
			j++
			if j >= len(s) || !isDigit(s[j]) {
				return 0, false
			}
			for j < len(s) && isDigit(s[j]) {
				j++
			}
		}
		if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
			j++
			if j < len(s) && (s[j] == '+' || s[j] == '-') {
				j++
			}
			if j >= len(s) || !isDigit(s[j]) {
				return 0, false
			}
			for j < len(s) && isDigit(s[j]) {
				j++
			}
		}
		return j, true
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(s)-i >= len(lit) && s[i:i+len(lit)] == lit {
			return i + len(lit), true
		}
	}
	return 0, false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// canonicalPlain is canonicalAttr for a plain name, without allocating:
// the lookup key is built in a stack buffer.
func canonicalPlain(name string) string {
	var buf [64]byte
	if len(name) > len(buf) {
		return canonicalAttr(name)
	}
	k := buf[:0]
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		k = append(k, c)
	}
	// nameKey trims, lower-cases, drops a "(sia)" suffix, then drops
	// spaces, tabs, '_' and '-'.
	if n := len(k); n >= 5 && string(k[n-5:]) == "(sia)" {
		k = k[:n-5]
	}
	j := 0
	for _, c := range k {
		switch c {
		case ' ', '\t', '_', '-':
			continue
		}
		k[j] = c
		j++
	}
	if c, ok := canonicalAttrs[string(k[:j])]; ok {
		return c
	}
	return name
}
