package state

import (
	"os"
	"path/filepath"

	"github.com/actsync/actsync/internal/atomicfile"
)

// WriteRunFile publishes data as runs/<name> in the state, readable by the
// owner only, by rename (atomicfile.WriteFile): a reader sees the old file or
// the new one. Views derived from committed runs (the report page) are
// written this way, by a process that has the state open.
func (s *State) WriteRunFile(name string, data []byte) error {
	return atomicfile.WriteFile(filepath.Join(s.Dir, RunsDir, name), data)
}

// removeRunTemps removes the temporary files of WriteRunFile writers that
// died. Open calls it holding the writer lock and the database: no other
// process can be writing then, since a reader holding the database makes
// Open fail first.
func removeRunTemps(dir string) error {
	temps, err := filepath.Glob(filepath.Join(dir, RunsDir, atomicfile.TempPattern))
	if err != nil {
		return err
	}
	for _, t := range temps {
		if err := os.Remove(t); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	return nil
}
