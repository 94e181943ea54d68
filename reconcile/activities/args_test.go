package activities

import (
	"testing"

	sqlfiles "github.com/actsync/actsync/sql"
)

// TestArgs checks that every numbered file of sql/activities/ has an
// arguments entry and every entry a file.
func TestArgs(t *testing.T) {
	r := &Reconcile{Staged: &Staged{}}
	if err := sqlfiles.CheckArgs("activities", r.args(1, 0, DefaultTaskSubject)); err != nil {
		t.Error(err)
	}
}
