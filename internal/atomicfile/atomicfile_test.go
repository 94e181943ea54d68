package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	for _, data := range []string{"first", "second, longer than the first"} {
		if err := WriteFile(path, []byte(data)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != data {
			t.Fatalf("read %q, %v; want %q", got, err, data)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Errorf("mode %o, want 600", mode)
	}
	if temps, _ := filepath.Glob(filepath.Join(dir, TempPattern)); len(temps) != 0 {
		t.Errorf("temporary files left: %v", temps)
	}

	// A failed rename (the target is a directory) keeps the old content
	// and leaves no temporary file.
	target := filepath.Join(dir, "taken")
	if err := os.MkdirAll(filepath.Join(target, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(target, []byte("data")); err == nil {
		t.Fatal("WriteFile over a non-empty directory succeeded")
	}
	if temps, _ := filepath.Glob(filepath.Join(dir, TempPattern)); len(temps) != 0 {
		t.Errorf("temporary files left after a failed write: %v", temps)
	}
}
