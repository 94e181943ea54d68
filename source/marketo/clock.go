package marketo

import (
	"context"
	"time"
)

// Clock is the time source of the client and the job loop: backoff between
// retries and the once-a-minute status poll sleep on it, and token expiry,
// the quota day and default windows read it. Tests pass a fake one that
// advances instantly.
type Clock interface {
	Now() time.Time
	// Sleep waits d or until ctx is done, returning ctx.Err() then.
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the wall clock.
type RealClock struct{}

func (RealClock) Now() time.Time { return time.Now() }

func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

type clockKey struct{}

// WithClock returns a context whose Land calls use clock instead of the
// wall clock: the command-line tests reach the job loop through run(ctx,
// args, …) and have no other way in without a package-level variable.
func WithClock(ctx context.Context, clock Clock) context.Context {
	return context.WithValue(ctx, clockKey{}, clock)
}

// ClockFrom returns the clock set by WithClock, or the wall clock.
func ClockFrom(ctx context.Context) Clock {
	if c, ok := ctx.Value(clockKey{}).(Clock); ok {
		return c
	}
	return RealClock{}
}
