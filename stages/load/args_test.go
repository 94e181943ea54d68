package load

import (
	"testing"

	"github.com/actsync/actsync/pipeline"
	sqlfiles "github.com/actsync/actsync/sql"
)

// TestArgs checks that every numbered file of sql/people/ and sql/finish/
// has an arguments entry and every entry a file.
func TestArgs(t *testing.T) {
	l := &Loader{}
	if err := sqlfiles.CheckArgs("people", l.peopleArgs(&pipeline.Report{})); err != nil {
		t.Error(err)
	}
	if err := sqlfiles.CheckArgs("finish", l.finishArgs()); err != nil {
		t.Error(err)
	}
}
