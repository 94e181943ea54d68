package synth

import (
	"bufio"
	"errors"
	"io"
	"os"
)

// WriteFile writes what fill writes (WritePeople or WriteActivities with
// their options, say) to the file at path, through a 1 MiB buffer. It
// writes path+".tmp" and renames it, so that an interrupted write leaves no
// half file under the name; on error the temporary file is removed.
func WriteFile(path string, fill func(io.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := errors.Join(fill(bw), bw.Flush(), f.Close()); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}
