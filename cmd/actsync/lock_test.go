package main

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	actstate "github.com/actsync/actsync/state"
)

// TestSecondRunRefusedAtOnce holds a state open for writing in this process
// and runs a second actsync in a child process: run refuses at once with
// one line naming this pid; status explains why it cannot read.
func TestSecondRunRefusedAtOnce(t *testing.T) {
	state := t.TempDir()
	runOK(t, "run", "--state", state, "--people", "../../fixtures/people/day1")
	st, err := actstate.Open(context.Background(), state)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	actsyncBinary(t)

	start := time.Now()
	code, _, stderr := child(t, nil, "run", "--state", state, "--people", "../../fixtures/people/day2")
	elapsed := time.Since(start)
	want := fmt.Sprintf("actsync: state %s is being written by another actsync run (pid %d)\n", state, os.Getpid())
	if code != 1 || stderr != want {
		t.Errorf("second run: exit %d, stderr %q; want 1 and %q", code, stderr, want)
	}
	if elapsed > 3*time.Second {
		t.Errorf("second run took %v to fail: it must not wait", elapsed)
	}
	code, _, stderr = child(t, nil, "status", "--state", state)
	want = fmt.Sprintf("actsync: state %s is being written by another actsync run (pid %d); try again when it has finished\n", state, os.Getpid())
	if code != 1 || stderr != want {
		t.Errorf("status during a run: exit %d, stderr %q; want 1 and %q", code, stderr, want)
	}
	st.Close()
	if code, _, stderr := child(t, nil, "run", "--state", state, "--people", "../../fixtures/people/day2"); code != 0 {
		t.Errorf("run after the writer closed: exit %d: %s", code, stderr)
	}
}
