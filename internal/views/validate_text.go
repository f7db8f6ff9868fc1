package views

import (
	"fmt"
	"io"
	"strings"
)

// Validity is what validate found of a playbook, counted.
type Validity struct {
	// Playbook names the playbook: its name, or the argument it was
	// loaded from when it has none.
	Playbook string
	// Named says whether Playbook is the playbook's own name.
	Named bool
	// Steps and TargetGroups count the playbook's steps and the distinct
	// groups of hosts they target.
	Steps, TargetGroups int
	// Hosts counts the hosts selected, when an inventory was given
	// (HostsKnown).
	Hosts      int
	HostsKnown bool
	// Errors and Warnings count the diagnostics, which are written before.
	Errors, Warnings int
}

// ValidityText writes validate's last line: that the playbook is valid and
// what it holds, or that it is not and how many problems it has.
func ValidityText(w io.Writer, v Validity) error {
	name := "The playbook " + v.Playbook
	if v.Named {
		name = "Playbook " + v.Playbook
	}
	if v.Errors > 0 {
		counts := plural(v.Errors, "error", "errors")
		if v.Warnings > 0 {
			counts += ", " + plural(v.Warnings, "warning", "warnings")
		}
		_, err := fmt.Fprintf(w, "\n%s is not valid: %s.\n", name, counts)
		return err
	}
	parts := []string{plural(v.Steps, "step", "steps"), plural(v.TargetGroups, "target group", "target groups")}
	if v.HostsKnown {
		parts = append(parts, plural(v.Hosts, "host", "hosts"))
	}
	line := fmt.Sprintf("%s is valid: %s.", name, strings.Join(parts, ", "))
	if v.Warnings > 0 {
		line += fmt.Sprintf(" (%s above)", plural(v.Warnings, "warning", "warnings"))
	}
	_, err := fmt.Fprintln(w, line)
	return err
}
