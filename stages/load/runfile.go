package load

import (
	"os"
	"path/filepath"
)

// WriteRunFile publishes data as runs/<name> in the state, readable by the
// owner only, by rename: a reader sees the old file or the new one, never
// part of one. Views derived from committed runs (the report page) are
// written this way, by a process that has the state open. The temporary
// file, runs/.<name>-*.tmp, is unique per writer; one that a killed writer
// left behind is removed by the next Open.
func (s *State) WriteRunFile(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Join(s.Dir, RunsDir), "."+name+"-*.tmp")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o600) // CreateTemp's mode already; stated for the reader
	}
	if err == nil {
		err = os.Rename(f.Name(), filepath.Join(s.Dir, RunsDir, name))
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// removeRunTemps removes the temporary files of WriteRunFile writers that
// died. Open calls it holding the writer lock and the database: no other
// process can be writing then, since a reader holding the database makes
// Open fail first.
func removeRunTemps(dir string) error {
	temps, err := filepath.Glob(filepath.Join(dir, RunsDir, ".*-*.tmp"))
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
