package sync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/actsync/actsync/reconcile/activities"
	"github.com/actsync/actsync/source/marketo"
)

// MarketoLandingDir is where a run lands Marketo exports, inside the
// state: the job ledger (resumed after a quota stop) and the files until
// they are loaded.
const MarketoLandingDir = "marketo"

// Marketo is the part of a run read from the Marketo Bulk API instead of
// files: which kinds to extract, and the range.
type Marketo struct {
	People, Activities bool
	// Since and Until bound the range; a zero Since starts where the last
	// range ended, a zero Until is now.
	Since, Until time.Time
}

// activityTypeIDs are the types an activities export asks for: every type
// actsync reconciles (built-in public ids and those of --activity-types),
// less Delete Lead, which the Bulk Activity Extract cannot export (deleted
// leads come from deletedleads.json).
func activityTypeIDs(typesFile string) ([]int32, error) {
	types := activities.BuiltinTypes()
	if typesFile != "" {
		if _, err := types.LoadTypesFile(typesFile); err != nil {
			return nil, fmt.Errorf("--activity-types: %w", err)
		}
	}
	return types.IDs(func(t activities.Type) bool {
		return t.Category != activities.CategoryOther && t.Name != activities.TypeDeleteLead
	}), nil
}

// Land lands the exports m asks for into dir and returns them, with the
// credentials of the environment; log gets Marketo's log lines, progress
// (a terminal, or nil) a status line. A quota stop is a
// *marketo.QuotaError; the caller decides what it means.
func Land(ctx context.Context, dir, typesFile string, m Marketo, log, progress io.Writer) (*marketo.Landed, error) {
	cfg, err := marketo.ConfigFromEnv(os.Getenv)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = io.Discard
	}
	req := marketo.Request{Dir: dir, People: m.People, Activities: m.Activities, Since: m.Since, Until: m.Until, Log: log, Progress: progress}
	if m.Activities {
		if req.ActivityTypeIDs, err = activityTypeIDs(typesFile); err != nil {
			return nil, err
		}
	}
	c := marketo.NewClient(cfg, nil, marketo.ClockFrom(ctx))
	landed, err := marketo.Land(ctx, c, req)
	if progress != nil {
		fmt.Fprint(progress, "\033[K") // clear the status line
	}
	return landed, err
}

// landMarketo is the Marketo part of a run before its sync: it lands the
// exports into the state's landing directory and puts their files in cfg's
// inputs. Deleted leads go with the activities, into the Merge/Delete
// lifecycle (deleted_in_marketo), even with people alone.
func landMarketo(ctx context.Context, cfg *Config) (*marketo.Landed, error) {
	if err := os.MkdirAll(cfg.State, 0o700); err != nil {
		return nil, err
	}
	landed, err := Land(ctx, filepath.Join(cfg.State, MarketoLandingDir), cfg.ActivityTypes, *cfg.Marketo, cfg.Log, cfg.Progress)
	if err != nil {
		if qe := (*marketo.QuotaError)(nil); errors.As(err, &qe) {
			return nil, fmt.Errorf("nothing loaded: %w", err)
		}
		return nil, err
	}
	if cfg.AsOf.IsZero() {
		cfg.AsOf = landed.Until // the exports hold Marketo's data up to here
	}
	cfg.People = append(landed.People, cfg.People...)
	cfg.Activities = append(cfg.Activities, landed.Activities...)
	if cfg.Log != nil {
		fmt.Fprintf(cfg.Log, "actsync: marketo: landed %d export(s) (%d reused) up to %s\n", landed.Exports, landed.Reused, landed.Until.Format(time.RFC3339))
	}
	return landed, nil
}
