package state

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/actsync/actsync/internal/flock"
)

// LockFile is the state's writer lock: every command that writes the state
// holds an exclusive flock(2) on <state>/lock from before it opens the
// database until it closes it, and writes its pid into the file. The kernel
// drops the lock when the process dies, however it dies, so a killed run
// never leaves a stale lock. Readers (status, query) do not take it.
const LockFile = "lock"

// LockedError is returned by Open when another process holds the state's
// writer lock.
type LockedError struct {
	Dir string
	PID int // 0 when the holder's pid could not be read
}

func (e *LockedError) Error() string {
	pid := "pid unknown"
	if e.PID > 0 {
		pid = "pid " + strconv.Itoa(e.PID)
	}
	return fmt.Sprintf("state %s is being written by another actsync run (%s)", e.Dir, pid)
}

// lockState takes the writer lock of dir without waiting.
func lockState(dir string) (*os.File, error) {
	f, err := flock.TryLock(filepath.Join(dir, LockFile))
	if errors.Is(err, flock.ErrLocked) {
		return nil, &LockedError{Dir: dir, PID: lockHolder(dir)}
	}
	if err != nil {
		return nil, err
	}
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// unlockState empties the lock file, so that no pid outlives its holder in
// it, and releases the lock.
func unlockState(f *os.File) error {
	f.Truncate(0)
	return f.Close()
}

// lockHolder is the pid written in dir's lock file, or 0. The holder writes
// it just after taking the lock, so an empty file is read again once.
func lockHolder(dir string) int {
	for try := 0; try < 2; try++ {
		data, _ := os.ReadFile(filepath.Join(dir, LockFile))
		if pid, err := strconv.Atoi(strings.TrimSpace(string(data))); err == nil && pid > 0 {
			return pid
		}
		time.Sleep(20 * time.Millisecond)
	}
	return 0
}

// liveWriter returns the pid of a live process named in dir's lock file, or
// 0. It never takes the lock: a reader uses it to explain why DuckDB refused
// to open a database that a writer holds.
func liveWriter(dir string) int {
	data, err := os.ReadFile(filepath.Join(dir, LockFile))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 || syscall.Kill(pid, 0) != nil && !errors.Is(syscall.Kill(pid, 0), syscall.EPERM) {
		return 0
	}
	return pid
}
