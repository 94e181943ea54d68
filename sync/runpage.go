package sync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/actsync/actsync/internal/runpage"
	"github.com/actsync/actsync/pipeline"
	sqlfiles "github.com/actsync/actsync/sql"
	"github.com/actsync/actsync/state"
)

// The run report page, runs/<id>.html, is a view derived from the reports
// in the runs table: the run's own and up to runpage.TrendRuns-1 before it.
// It is drawn from the stored reports, not from the run's in-memory one, so
// regenerating a page later gives the same bytes.
//
// A run writes its page after its commit. Failing to write it does not fail
// the run: the run is committed and its runs/<id>.json written, a retry
// would change nothing, and `actsync status --open` writes a missing page.
// The run then prints one warning line on stderr and exits 0.

// runPagePath is where the page of run id lives in the state dir.
func runPagePath(dir string, id int64) string {
	return filepath.Join(dir, state.RunsDir, strconv.FormatInt(id, 10)+".html")
}

// publishRunPage writes the page of the committed run id, warning log (if
// not nil) in one line when it cannot.
func publishRunPage(ctx context.Context, st *state.State, id int64, log io.Writer) {
	page, err := loadRunPage(ctx, st, id)
	if err == nil {
		err = writeRunPage(st, page)
	}
	if err != nil && log != nil {
		fmt.Fprintf(log, "actsync: warning: run %d is committed, but its page %s was not written (`actsync status --open` writes it): %s\n",
			id, runPagePath(st.Dir, id), oneLine(err.Error()))
	}
}

// OpenRunPage prints the path of the latest run's page, writing the page
// first when it is missing (a run killed after its commit, a state from
// before pages, a failed write).
func OpenRunPage(ctx context.Context, st *state.State, stdout io.Writer) error {
	page, err := loadRunPage(ctx, st, math.MaxInt64)
	if err != nil {
		return err
	}
	path, err := filepath.Abs(runPagePath(st.Dir, page.Run.RunID))
	if err != nil {
		return err
	}
	if info, err := os.Lstat(path); err != nil || !info.Mode().IsRegular() {
		if err := writeRunPage(st, page); err != nil {
			return fmt.Errorf("writing the page of run %d: %w", page.Run.RunID, err)
		}
	}
	_, err = fmt.Fprintln(stdout, path)
	return err
}

// loadRunPage reads the stored reports of the latest run up to id and of
// the runs before it.
func loadRunPage(ctx context.Context, st *state.State, id int64) (runpage.Page, error) {
	rows, err := st.Conn().QueryContext(ctx, sqlfiles.Text("run/run_reports"), id, runpage.TrendRuns)
	if err != nil {
		return runpage.Page{}, err
	}
	defer rows.Close()
	var reports []*pipeline.Report // newest first
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return runpage.Page{}, err
		}
		r := new(pipeline.Report)
		if err := json.Unmarshal([]byte(doc), r); err != nil {
			return runpage.Page{}, fmt.Errorf("run report in the runs table: %w", err)
		}
		reports = append(reports, r)
	}
	if err := rows.Err(); err != nil {
		return runpage.Page{}, err
	}
	if len(reports) == 0 {
		return runpage.Page{}, errors.New("no run in the state yet (run `actsync run` first)")
	}
	if id != math.MaxInt64 && reports[0].RunID != id {
		return runpage.Page{}, fmt.Errorf("run %d is not in the runs table", id)
	}
	slices.Reverse(reports)
	return runpage.Page{Run: reports[len(reports)-1], History: reports[:len(reports)-1]}, nil
}

// writeRunPage renders page into runs/<id>.html.
func writeRunPage(st *state.State, page runpage.Page) error {
	var buf bytes.Buffer
	if err := runpage.Render(&buf, page); err != nil {
		return err
	}
	return st.WriteRunFile(filepath.Base(runPagePath(st.Dir, page.Run.RunID)), buf.Bytes())
}
