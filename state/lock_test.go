package state

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

func TestSecondWriterFailsAtOnce(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := openState(t, dir)
	start := time.Now()
	_, err := Open(ctx, dir)
	var locked *LockedError
	if !errors.As(err, &locked) || locked.PID != os.Getpid() {
		t.Fatalf("second Open: %v, want a LockedError naming pid %d", err, os.Getpid())
	}
	if want := fmt.Sprintf("state %s is being written by another actsync run (pid %d)", dir, os.Getpid()); err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("second Open took %v: it must fail at once", d)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	// Closing releases the lock and empties the pid.
	if data, _ := os.ReadFile(dir + "/" + LockFile); len(data) != 0 {
		t.Errorf("lock file after Close holds %q", data)
	}
	st, err = Open(ctx, dir)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	st.Close()
}

func TestOneOfManyConcurrentWritersWins(t *testing.T) {
	dir := t.TempDir()
	const n = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	var held []*os.File
	var refused int
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, err := lockState(dir)
			mu.Lock()
			defer mu.Unlock()
			var locked *LockedError
			switch {
			case err == nil:
				held = append(held, f)
			case errors.As(err, &locked):
				refused++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if len(held) != 1 || refused != n-1 {
		t.Errorf("%d goroutines hold the lock and %d were refused, want 1 and %d", len(held), refused, n-1)
	}
	for _, f := range held {
		unlockState(f)
	}
}

func TestReadersDoNotTakeTheLock(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st := openState(t, dir)
	st.Close()
	f, err := lockState(dir) // a writer that has not opened the database yet
	if err != nil {
		t.Fatal(err)
	}
	defer unlockState(f)
	ro, err := OpenReadOnly(ctx, dir)
	if err != nil {
		t.Fatalf("read-only open while the lock is held: %v", err)
	}
	ro.Close()
}
