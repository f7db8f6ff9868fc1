package views

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/plans"
)

// TestMultiLineOutputKeepsItsIndentation checks that text of several lines
// (a command's output in a message, an error, a finding) stays indented
// under the line that opens it, in the progress and in the plan.
func TestMultiLineOutputKeepsItsIndentation(t *testing.T) {
	var b bytes.Buffer
	p := NewProgress(&b, Style{}, false)
	in := plans.Instance{Address: "step.clocks[ex01]", Change: plans.Change{Action: plans.Run}}
	p.ChangeStarting(in)
	p.ChangeDone(in, plans.ChangeResult{Status: plans.Failed, Error: "w32tm failed:\nThe service has not been started.",
		Messages: []string{"w32tm /resync (exit 0): Sending resync command\nThe command completed successfully."}})
	for _, want := range []string{"\n      The service has not been started.\n", "\n      The command completed successfully.\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("progress lacks %q:\n%s", want, b.String())
		}
	}

	plan := samplePlan()
	plan.Instances[1].Change.Findings = []string{"repadmin says:\n  DC02 <- DC01 failed"}
	plan.Hosts[3].Error = "dc02: connect:\nconnection refused"
	var text, md bytes.Buffer
	if err := Plan(&text, plan, Style{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\n      ! repadmin says:\n          DC02 <- DC01 failed\n", "could not be read: dc02: connect:\n    connection refused\n"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the plan lacks %q:\n%s", want, text.String())
		}
	}
	if err := Markdown(&md, plan); err != nil {
		t.Fatal(err)
	}
	if want := "  - repadmin says:\n\n    ```\n      DC02 <- DC01 failed\n    ```\n"; !strings.Contains(md.String(), want) {
		t.Errorf("the Markdown lacks %q:\n%s", want, md.String())
	}
}
