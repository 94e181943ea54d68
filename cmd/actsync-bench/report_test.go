package main

import (
	"strings"
	"testing"
)

// TestPrintStagesShowsEveryStage checks the stage table lists a step that
// only one of the two runs took, with "-" on the other side, instead of
// dropping it or showing it as 0.
func TestPrintStagesShowsEveryStage(t *testing.T) {
	initial := []stageTime{{"load/changes", 9.1}, {"load/duplicate_emails", 6.0}}
	delta := &deltaResult{Stages: []stageTime{{"load/changes", 3.5}, {"load/duplicate_emails_delta", 0.4}}}
	var b strings.Builder
	printStages(&b, "stages", initial, delta)
	var rows []string
	for _, line := range strings.Split(b.String(), "\n") {
		rows = append(rows, strings.Join(strings.Fields(line), " "))
	}
	got := strings.Join(rows, "\n")
	for _, want := range []string{
		"load/changes 9.100 3.500",
		"load/duplicate_emails 6.000 -",
		"load/duplicate_emails_delta - 0.400",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("stage table lacks %q:\n%s", want, b.String())
		}
	}
}
