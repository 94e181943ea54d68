package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// childEnv is set in the environment of the baseline child. The bench
// binary itself dispatches on its hidden `baseline` subcommand; a test
// binary re-executed as the child looks at this variable instead (TestMain).
const childEnv = "ACTSYNC_BENCH_CHILD"

// measurement is what one child process cost.
type measurement struct {
	Seconds   float64 // wall time from start to exit
	MaxRSSKiB int64   // peak resident set size of the child (Linux: KiB)
	Stdout    []byte
}

// runChild runs name with args in dir and measures it. A non-zero exit is
// an error carrying the tail of the child's stderr.
func runChild(ctx context.Context, dir string, env []string, name string, args ...string) (measurement, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Start()
	var peak int64
	if err == nil {
		peak = watchPeak(cmd.Process.Pid, cmd.Wait, &err)
	}
	m := measurement{Seconds: time.Since(start).Seconds(), Stdout: stdout.Bytes(), MaxRSSKiB: peak}
	if peak == 0 && cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			m.MaxRSSKiB = ru.Maxrss
		}
	}
	if err != nil {
		return m, fmt.Errorf("%s %s: %w: %s", filepath.Base(name), strings.Join(args, " "), err, tail(stderr.String(), 600))
	}
	return m, nil
}

// peakInterval is how often watchPeak reads the child's high-water mark.
const peakInterval = 20 * time.Millisecond

// watchPeak calls wait, reading the peak RSS of process pid (VmHWM in
// /proc/pid/status, KiB) every peakInterval until wait returns; it stores
// wait's error in *err and returns the highest mark read, 0 when none could
// be read (not Linux).
//
// The rusage of a finished child is not the child's own peak: Go starts
// children with vfork (CLONE_VM), so the kernel records the parent's
// high-water mark as the child's at exec, and a child smaller than the
// bench reports the bench's peak. VmHWM belongs to the memory the child
// got at exec. What the child adds in its last interval is missed.
func watchPeak(pid int, wait func() error, err *error) int64 {
	done := make(chan struct{})
	var peak int64
	go func() {
		*err = wait()
		close(done)
	}()
	path := fmt.Sprintf("/proc/%d/status", pid)
	t := time.NewTicker(peakInterval)
	defer t.Stop()
	for {
		if data, rerr := os.ReadFile(path); rerr == nil {
			if v, ok := parseVmHWM(data); ok {
				peak = max(peak, v)
			}
		}
		select {
		case <-done:
			return peak
		case <-t.C:
		}
	}
}

// parseVmHWM returns the VmHWM line of a /proc/PID/status file, in KiB.
func parseVmHWM(status []byte) (int64, bool) {
	for line := range strings.Lines(string(status)) {
		rest, ok := strings.CutPrefix(line, "VmHWM:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, false
		}
		v, err := strconv.ParseInt(f[0], 10, 64)
		return v, err == nil
	}
	return 0, false
}

// tail keeps the last n bytes of s, on one line.
func tail(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return s
}

// moduleRoot returns the directory of the actsync module containing the
// working directory, from the go command.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Path}} {{.Dir}}").Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			err = fmt.Errorf("%w: %s", err, tail(string(ee.Stderr), 300))
		}
		return "", fmt.Errorf("finding the actsync module (run inside it or pass --actsync): %w", err)
	}
	path, dir, ok := strings.Cut(strings.TrimSpace(string(out)), " ")
	if !ok || path != "github.com/actsync/actsync" {
		return "", fmt.Errorf("the working directory is in module %q, not github.com/actsync/actsync: run inside it or pass --actsync", path)
	}
	return dir, nil
}

// buildActsync builds ./cmd/actsync of the module containing the working
// directory into binDir and returns the binary's path.
func buildActsync(ctx context.Context, binDir string) (string, error) {
	root, err := moduleRoot(ctx)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return "", err
	}
	bin := filepath.Join(binDir, "actsync")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/actsync")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/actsync: %w: %s", err, tail(string(out), 600))
	}
	return bin, nil
}
