package views

import (
	"fmt"
	"io"
	"strings"

	"github.com/rectifyhq/rectify/plans"
)

// verb says what will happen, Terraform-style.
func verb(a plans.Action) string {
	switch a {
	case plans.Create:
		return "will be created"
	case plans.Update:
		return "will be updated in place"
	case plans.Delete:
		return "will be deleted"
	case plans.Run:
		return "will be run"
	case plans.Blocked:
		return "is blocked: rectify will not change it"
	}
	return "needs no change"
}

func (s Style) symbol(a plans.Action) string {
	sym := a.Symbol()
	switch a {
	case plans.Create:
		return s.Green(sym)
	case plans.Update:
		return s.Yellow(sym)
	case plans.Delete, plans.Blocked:
		return s.Red(sym)
	case plans.Run:
		return s.Cyan(sym)
	}
	return sym
}

// Plan writes p as a person reviews it: every change with its attributes
// before and after, why, the risk, how to undo it; blocked findings; hosts
// that could not be read; and a summary line.
func Plan(w io.Writer, p *plans.Plan, st Style) error {
	var b strings.Builder
	title := p.Playbook.Name
	if p.Playbook.Title != "" {
		title += ": " + p.Playbook.Title
	}
	if p.Playbook.KB != "" {
		title += " (KB " + p.Playbook.KB + ")"
	}
	fmt.Fprintf(&b, "Playbook %s\n", st.Bold(title))
	fmt.Fprintf(&b, "Read %s at %s.\n\n", plural(len(p.Hosts), "host", "hosts"), p.CreatedAt.Format("2006-01-02 15:04:05 MST"))

	shown := 0
	for _, in := range p.Instances {
		if in.Error != "" || !(in.Change.Action.Changes() || in.Change.Action == plans.Blocked) {
			continue
		}
		shown++
		writeInstance(&b, in, st)
	}
	notes := 0
	for _, in := range p.Instances {
		if in.Error != "" || in.Change.Action.Changes() || in.Change.Action == plans.Blocked || len(in.Change.Findings) == 0 {
			continue
		}
		if notes == 0 {
			b.WriteString(st.Bold("Findings (no change needed):") + "\n")
		}
		notes++
		fmt.Fprintf(&b, "  %s %s:\n", st.Bold("#"), st.Bold(in.Address))
		for _, f := range in.Change.Findings {
			fmt.Fprintf(&b, "      %s\n", hang(f, "      "))
		}
	}
	if notes > 0 {
		b.WriteString("\n")
	}
	var errs []string
	for _, h := range p.Hosts {
		if h.Error != "" {
			errs = append(errs, fmt.Sprintf("  %s host %s could not be read: %s\n", st.Red("!"), st.Bold(h.Name), hang(h.Error, "    ")))
		}
	}
	for _, in := range p.Instances {
		if in.Error != "" {
			if h, ok := p.Host(in.Host); ok && h.Error != "" {
				continue // said once for the host
			}
			errs = append(errs, fmt.Sprintf("  %s %s could not be planned: %s\n", st.Red("!"), st.Bold(in.Address), hang(in.Error, "    ")))
		}
	}
	if len(errs) > 0 {
		b.WriteString(st.Bold("Errors (nothing will be changed there):") + "\n")
		for _, e := range errs {
			b.WriteString(e)
		}
		b.WriteString("\n")
	}
	if shown == 0 && len(errs) == 0 {
		b.WriteString(st.Green("No changes.") + " Every host is in the state the playbook describes.\n\n")
	}
	b.WriteString(SummaryLine(p, st) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeInstance(b *strings.Builder, in plans.Instance, st Style) {
	c := in.Change
	fmt.Fprintf(b, "  %s %s (%s)", st.Bold("#"), st.Bold(in.Address), in.Action)
	if c.Object != "" {
		fmt.Fprintf(b, ": %s", c.Object)
	}
	fmt.Fprintf(b, " %s\n", verb(c.Action))
	for _, l := range attrLines(c) {
		if l.marker == plans.NoOp {
			fmt.Fprintf(b, "      %s\n", l.text)
		} else {
			fmt.Fprintf(b, "    %s %s\n", st.symbol(l.marker), l.text)
		}
	}
	for _, f := range c.Findings {
		fmt.Fprintf(b, "      %s %s\n", st.symbol(c.Action), hang(f, "        "))
	}
	if c.Reason != "" {
		fmt.Fprintf(b, "      why:  %s\n", hang(c.Reason, "            "))
	}
	if c.Risk != "" {
		fmt.Fprintf(b, "      risk: %s\n", hang(c.Risk, "            "))
	}
	if c.Undo != "" {
		fmt.Fprintf(b, "      undo: %s\n", hang(c.Undo, "            "))
	}
	if e := expiry(c); e != "" {
		fmt.Fprintf(b, "      %s\n", e)
	}
	if in.Triggered {
		b.WriteString("      triggered by changes planned above\n")
	}
	if in.Waits != "" {
		fmt.Fprintf(b, "      %s %s; apply skips this change until then\n", st.Yellow("waits:"), hang(waitsText(in.Waits), "             "))
	}
	if c.Action.Changes() {
		writePayload(b, c.Payload)
	}
	b.WriteString("\n")
}

// attrLine is one attribute of a change as a reviewer reads it. Marker is
// the kind of edit the attribute undergoes (create, update, delete) in a
// change that edits an object; it is plans.NoOp for the attributes that
// explain a run or a blocked change, which show their one value.
type attrLine struct {
	marker plans.Action
	text   string
}

// attrLines returns the attributes of c as every view shows them: "name =
// value" added, "name = value" removed, "name = before -> after" changed;
// a run or blocked change's attributes show the value they carry.
func attrLines(c plans.Change) []attrLine {
	var out []attrLine
	for _, a := range c.Attrs {
		before, after := value(a.Before), value(a.After)
		if a.Sensitive {
			before, after = sensitiveText, sensitiveText
		}
		switch c.Action {
		case plans.Create, plans.Update, plans.Delete:
			switch {
			case a.Before == nil:
				out = append(out, attrLine{plans.Create, a.Name + " = " + after})
			case a.After == nil:
				out = append(out, attrLine{plans.Delete, a.Name + " = " + before})
			default:
				out = append(out, attrLine{plans.Update, a.Name + " = " + before + " -> " + after})
			}
		default:
			shown := after
			if a.After == nil {
				shown = before
			}
			out = append(out, attrLine{plans.NoOp, a.Name + " = " + shown})
		}
	}
	return out
}

// expiry says when a temporary change is reverted, or that c reverts
// one; "" for a change that is not temporary.
func expiry(c plans.Change) string {
	switch {
	case c.Revert:
		return "reverts a temporary change that expired at " + c.Expires
	case c.Expires != "":
		return "temporary: reverted by a plan after " + c.Expires
	case c.ExpiresIn != "":
		return "temporary: reverted by a plan " + c.ExpiresIn + " after it is applied"
	}
	return ""
}

// waitsText is what an instance waits for, without the leading verb.
func waitsText(w string) string { return strings.TrimPrefix(w, "waits for ") }

// SummaryLine is the plan's closing line.
func SummaryLine(p *plans.Plan, st Style) string {
	s := p.Summary()
	line := fmt.Sprintf("Plan: %d to create, %d to update, %d to delete, %d to run", s.Create, s.Update, s.Delete, s.Run)
	if s.Blocked > 0 {
		line += fmt.Sprintf(", %d blocked", s.Blocked)
	}
	if s.Errors > 0 {
		line += ", " + plural(s.Errors, "error", "errors")
	}
	return st.Bold(line + ".")
}
