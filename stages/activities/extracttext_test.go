package activities

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/actsync/actsync/internal/golden"
)

// TestExtractTextMatchesDuckDB checks the promise the reconcile SQL relies
// on: where extractText says exact, its text is what DuckDB's
// json_extract_string returns for the same normalised attributes, on the
// fast path, the slow path (a repeated name) and the legacy array.
func TestExtractTextMatchesDuckDB(t *testing.T) {
	ctx := context.Background()
	db, conn := golden.OpenDB(t, filepath.Join(t.TempDir(), "t.duckdb"))
	defer db.Close()
	defer conn.Close()
	values := []string{
		`"plain"`, `""`, `" spaced "`, `"ünïcödé ✓"`, `"with \"quote\""`, `"a\\b"`, `"\u00e9"`, `"tab\tx"`, `"\ud800"`,
		`0`, `-0`, `7`, `-5`, `300`, `123456789012345678`, `12345678901234567890`, `1.50`, `1e3`, `-2.5E-3`,
		`true`, `false`, `null`, `{"a": 1}`, `[1, 2]`, `[]`,
	}
	shapes := []struct{ name, format string }{
		{"fast object", `{"Sent By": %s, "Other": 1}`},
		{"slow object", `{"sent by": 1, "Sent By": %s, "x": {"y": 2}}`},
		{"legacy array", `[{"name": "Sent By", "value": %s}]`},
	}
	checked := 0
	for _, sh := range shapes {
		for _, v := range values {
			var a attrSet
			in := sprintf(sh.format, v)
			ok, err := a.normalise(in)
			if err != nil || !ok {
				continue // not attributes: a reject, nothing to extract
			}
			raw, found := a.value("Sent By")
			if !found {
				t.Errorf("%s %s: Sent By not found in %s", sh.name, v, a.out)
				continue
			}
			text, null, exact := extractText(raw)
			if !exact {
				continue
			}
			checked++
			var got *string
			if err := conn.QueryRowContext(ctx, `SELECT json_extract_string(?, '$."Sent By"')`, string(a.out)).Scan(&got); err != nil {
				t.Fatalf("%s: %v", a.out, err)
			}
			switch {
			case null && got != nil:
				t.Errorf("%s %s: extractText NULL, DuckDB %q", sh.name, v, *got)
			case !null && (got == nil || *got != text):
				t.Errorf("%s %s: extractText %q, DuckDB %v", sh.name, v, text, deref(got))
			}
		}
	}
	if checked < 3*12 {
		t.Errorf("only %d exact values compared", checked)
	}
}

func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func sprintf(format, v string) string { return fmt.Sprintf(format, v) }
