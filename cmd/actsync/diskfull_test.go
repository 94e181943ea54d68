package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/actsync/actsync/internal/synth"
)

// TestDiskFullFailsCleanly puts the state on a small tmpfs, fills it to
// several levels and runs a sync that needs more room than is left. Each
// run either succeeds or fails with one line, and a failed run leaves the
// state exactly as it was and usable: the same run succeeds once there is
// room again. It needs to mount a tmpfs (root, as in CI) and skips
// otherwise.
func TestDiskFullFailsCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("mounts a tmpfs")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })

	export := filepath.Join(t.TempDir(), "people.csv")
	if err := synth.WriteFile(export, func(w io.Writer) error {
		return synth.WritePeople(w, synth.PeopleOptions{N: 20000, Seed: 3})
	}); err != nil {
		t.Fatal(err)
	}

	// Free space left before the big run, from almost none to nearly enough.
	for _, free := range []int64{64 << 10, 512 << 10, 2 << 20, 4 << 20, 8 << 20, 12 << 20} {
		state := filepath.Join(mnt, "state")
		filler := filepath.Join(mnt, "filler")
		os.RemoveAll(state)
		os.Remove(filler)
		runOK(t, "run", "--state", state, "--people", "../../fixtures/people/day1")
		before := dumpState(t, state)
		fill(t, mnt, filler, free)

		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"run", "--state", state, "--people", export}, &stdout, &stderr)
		switch code {
		case 0:
			t.Logf("free %d KiB: run fitted", free>>10)
		case 1:
			msg := stderr.String()
			if strings.Count(msg, "\n") != 1 {
				t.Errorf("free %d KiB: error is not one line: %q", free>>10, msg)
			}
			os.Remove(filler) // room to read the state back
			if after := dumpState(t, state); after != before {
				t.Errorf("free %d KiB: failed run (%s) changed the state:\n--- before\n%s\n--- after\n%s", free>>10, strings.TrimSpace(msg), before, after)
			}
			t.Logf("free %d KiB: failed cleanly: %s", free>>10, strings.TrimSpace(msg))
		default:
			t.Fatalf("free %d KiB: exit %d: %s", free>>10, code, stderr.String())
		}
		os.Remove(filler)
		out := runOK(t, "run", "--state", state, "--people", export)
		if !strings.Contains(out, "run ") {
			t.Errorf("free %d KiB: run after freeing space: %q", free>>10, out)
		}
	}
}

// fill writes a file that leaves about free bytes available on dir's
// file system.
func fill(t *testing.T, dir, path string, free int64) {
	t.Helper()
	var st statfs
	if err := statFS(dir, &st); err != nil {
		t.Fatal(err)
	}
	size := st.avail - free
	if size <= 0 {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for size > 0 {
		n := min(size, int64(len(buf)))
		if _, err := f.Write(buf[:n]); err != nil {
			return // full already
		}
		size -= n
	}
}
