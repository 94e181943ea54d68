package salesforce

import (
	"testing"

	sqlfiles "github.com/actsync/actsync/sql"
)

// TestArgs checks that every numbered file of sql/salesforce/ has an
// arguments entry and every entry a file.
func TestArgs(t *testing.T) {
	r := &Reconcile{Staged: &Staged{}}
	if err := sqlfiles.CheckArgs("salesforce", r.args(1)); err != nil {
		t.Error(err)
	}
}
