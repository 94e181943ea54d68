package sync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/actsync/actsync/stages/extract"
	"github.com/actsync/actsync/state"
)

// AlreadyApplied reports whether every file of e was read by an earlier
// run (same sha256), and the first such run.
func AlreadyApplied(ctx context.Context, st *state.State, e extract.Export) (bool, int64, error) {
	sums, err := hashFiles(append(slices.Clone(e.Sources), e.Activities...))
	if err != nil {
		return false, 0, fmt.Errorf("backfill: %w", err)
	}
	seen, err := st.AppliedIn(ctx, sums)
	if err != nil {
		return false, 0, err
	}
	for _, sum := range sums { // two files of one export may be identical
		if _, ok := seen[sum]; !ok {
			return false, 0, nil
		}
	}
	return true, seen[sums[0]], nil
}

// hashFiles returns the sha256 of each source's file, as the inputs table
// records it.
func hashFiles(sources []extract.Source) ([]string, error) {
	sums := make([]string, len(sources))
	for i, s := range sources {
		f, err := os.Open(s.Path)
		if err != nil {
			return nil, err
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Path, err)
		}
		sums[i] = hex.EncodeToString(h.Sum(nil))
	}
	return sums, nil
}
