// Package flock takes an exclusive, non-blocking advisory lock on a file
// (flock(2)): the writer lock of a state directory and of a Marketo landing
// directory. The kernel drops the lock when its holder exits, however it
// exits, so a killed run never leaves a stale lock behind.
package flock

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// ErrLocked is returned by TryLock when another open file holds the lock.
var ErrLocked = errors.New("locked by another process")

// TryLock opens (creating, mode 0600) the file at path and locks it
// exclusively without waiting. Closing the returned file releases the lock.
func TryLock(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return f, nil
}
