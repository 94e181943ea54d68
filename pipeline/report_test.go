package pipeline_test

import (
	"testing"

	"github.com/actsync/actsync/pipeline"
)

func TestRowsBalanced(t *testing.T) {
	tests := []struct {
		name string
		rows pipeline.Rows
		want bool
	}{
		{"empty run", pipeline.Rows{}, true},
		{"all synced", pipeline.Rows{Read: 10, Synced: 10}, true},
		{"every bucket", pipeline.Rows{Read: 10, Synced: 4, Excluded: 3, Rejected: 2, Superseded: 1}, true},
		{"row lost", pipeline.Rows{Read: 10, Synced: 4, Excluded: 3, Rejected: 2}, false},
		{"row counted twice", pipeline.Rows{Read: 10, Synced: 5, Excluded: 3, Rejected: 2, Superseded: 1}, false},
		{
			// The by-reason maps and field rejects are detail, not buckets:
			// a field reject's person is still synced.
			"field rejects do not count",
			pipeline.Rows{Read: 2, Synced: 2, FieldRejects: map[string]int64{pipeline.ReasonInvalidSFDCID: 5}},
			true,
		},
	}
	for _, tt := range tests {
		if got := tt.rows.Balanced(); got != tt.want {
			t.Errorf("%s: %+v.Balanced() = %v, want %v", tt.name, tt.rows, got, tt.want)
		}
	}
}
