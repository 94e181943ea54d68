package main

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/actsync/actsync/internal/synth"
)

const generateSynopsis = `Usage: actsync generate --people N [--activities M] [--seed S] [--day D]
                        [--spelling rest|display|snake] [--gzip] --out DIR

Writes deterministic, realistic synthetic Marketo exports for demos and load
tests: DIR/people.csv (or people-day<D>.csv, the delta of day D) and, with
--activities, DIR/activities.csv. The same flags always give the same bytes;
memory use does not grow with N.`

func generateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("generate", generateSynopsis, stderr)
	people := fs.Int("people", 0, "number of people `N` in the initial export")
	activities := fs.Int("activities", 0, "number of activities `M` (0: none)")
	seed := fs.Int64("seed", 1, "random `SEED`")
	day := fs.Int("day", 0, "write the delta export of day `D` instead of the initial export")
	spelling := fs.String("spelling", "rest", "header spelling: rest, display or snake")
	gz := fs.Bool("gzip", false, "gzip the files (.csv.gz)")
	out := fs.String("out", "", "output `DIR` (created if missing)")
	if err := parse(fs, args); err != nil {
		return err
	}
	sp, ok := map[string]synth.Spelling{"rest": synth.REST, "display": synth.Display, "snake": synth.Snake}[*spelling]
	if *out == "" || *people <= 0 || !ok || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "actsync generate: --out and a positive --people are required; --spelling is rest, display or snake")
		fs.Usage()
		return errUsage
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	name := "people.csv"
	if *day > 0 {
		name = fmt.Sprintf("people-day%d.csv", *day)
	}
	err := writeFile(filepath.Join(*out, name), *gz, func(w io.Writer) error {
		return synth.WritePeople(w, synth.PeopleOptions{N: *people, Seed: *seed, Spelling: sp, Day: *day})
	})
	if err != nil {
		return err
	}
	if *activities > 0 {
		err = writeFile(filepath.Join(*out, "activities.csv"), *gz, func(w io.Writer) error {
			return synth.WriteActivities(w, synth.ActivityOptions{N: *activities, People: *people, Seed: *seed})
		})
	}
	return err
}

// writeFile writes path (path.gz with gz) through fill, by rename, so an
// interrupted generate leaves no half file under the final name.
func writeFile(path string, gz bool, fill func(io.Writer) error) error {
	if !gz {
		return synth.WriteFile(path, fill)
	}
	return synth.WriteFile(path+".gz", func(w io.Writer) error {
		zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		return errors.Join(fill(zw), zw.Close())
	})
}
