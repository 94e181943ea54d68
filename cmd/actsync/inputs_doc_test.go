package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/actsync/actsync/stages/extract"
)

// TestDirExtensionsDocumented checks that `run --help` and the README's
// Inputs section name every extension a directory input contributes
// (extract.DirExtensions), so that the three agree.
func TestDirExtensionsDocumented(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, inputs, _ := strings.Cut(string(readme), "\n### Inputs\n")
	inputs, _, _ = strings.Cut(inputs, "\n### ")
	var help bytes.Buffer
	if code := run(context.Background(), []string{"run", "--help"}, &help, &help); code != 0 {
		t.Fatalf("run --help: exit %d", code)
	}
	for _, ext := range extract.DirExtensions {
		if !strings.Contains(inputs, "`"+ext+"`") {
			t.Errorf("README Inputs does not name %s", ext)
		}
		if !strings.Contains(help.String(), ext+" ") && !strings.Contains(help.String(), ext+",") && !strings.Contains(help.String(), ext+")") {
			t.Errorf("run --help does not name %s", ext)
		}
	}
}
