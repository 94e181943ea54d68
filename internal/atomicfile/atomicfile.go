// Package atomicfile writes small files (run reports, the run journal, the
// Marketo job ledger, report pages) so that a reader, or a process that
// starts after a crash, sees the old file or the new one, never half of one.
package atomicfile

import (
	"os"
	"path/filepath"
)

// TempPattern is the glob of the temporary files WriteFile makes beside
// its target: one a killed writer left behind can be removed by that glob.
const TempPattern = ".*-*.tmp"

// WriteFile writes data to path by rename after an fsync, readable by the
// owner only. The temporary file, .<name>-*.tmp beside path, is unique per
// writer, so two writers of one path never write into each other's file;
// it is removed when the write fails.
func WriteFile(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*.tmp") // mode 0600
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
