package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
	err := cmd.Run()
	m := measurement{Seconds: time.Since(start).Seconds(), Stdout: stdout.Bytes()}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			m.MaxRSSKiB = ru.Maxrss
		}
	}
	if err != nil {
		return m, fmt.Errorf("%s %s: %w: %s", filepath.Base(name), strings.Join(args, " "), err, tail(stderr.String(), 600))
	}
	return m, nil
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
