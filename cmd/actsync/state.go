package main

import (
	"context"
	"fmt"
	"io"

	"github.com/actsync/actsync/stages/load"
)

// openState opens the state in dir for writing and tells log (if not nil),
// one line each, what it did about runs a killed process left unfinished.
func openState(ctx context.Context, dir string, log io.Writer) (*load.State, error) {
	st, err := load.Open(ctx, dir)
	if err != nil {
		return nil, err
	}
	if log != nil {
		for _, r := range st.Recovered {
			fmt.Fprintf(log, "actsync: %s\n", r)
		}
	}
	return st, nil
}
