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
			fmt.Fprintf(&b, "      %s\n", f)
		}
	}
	if notes > 0 {
		b.WriteString("\n")
	}
	var errs []string
	for _, h := range p.Hosts {
		if h.Error != "" {
			errs = append(errs, fmt.Sprintf("  %s host %s could not be read: %s\n", st.Red("!"), st.Bold(h.Name), h.Error))
		}
	}
	for _, in := range p.Instances {
		if in.Error != "" {
			if h, ok := p.Host(in.Host); ok && h.Error != "" {
				continue // said once for the host
			}
			errs = append(errs, fmt.Sprintf("  %s %s could not be planned: %s\n", st.Red("!"), st.Bold(in.Address), in.Error))
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
	for _, a := range c.Attrs {
		before, after := value(a.Before), value(a.After)
		if a.Sensitive {
			before, after = "(sensitive)", "(sensitive)"
		}
		switch c.Action {
		case plans.Create, plans.Update, plans.Delete:
			switch {
			case a.Before == nil:
				fmt.Fprintf(b, "    %s %s = %s\n", st.symbol(plans.Create), a.Name, after)
			case a.After == nil:
				fmt.Fprintf(b, "    %s %s = %s\n", st.symbol(plans.Delete), a.Name, before)
			default:
				fmt.Fprintf(b, "    %s %s = %s -> %s\n", st.symbol(plans.Update), a.Name, before, after)
			}
		default:
			// Run and blocked changes carry attributes that explain them.
			shown := after
			if a.After == nil {
				shown = before
			}
			fmt.Fprintf(b, "      %s = %s\n", a.Name, shown)
		}
	}
	for _, f := range c.Findings {
		fmt.Fprintf(b, "      %s %s\n", st.symbol(c.Action), f)
	}
	if c.Reason != "" {
		fmt.Fprintf(b, "      why:  %s\n", c.Reason)
	}
	if c.Risk != "" {
		fmt.Fprintf(b, "      risk: %s\n", c.Risk)
	}
	if c.Undo != "" {
		fmt.Fprintf(b, "      undo: %s\n", c.Undo)
	}
	switch {
	case c.Revert:
		fmt.Fprintf(b, "      reverts a temporary change that expired at %s\n", c.Expires)
	case c.Expires != "":
		fmt.Fprintf(b, "      temporary: reverted by a plan after %s\n", c.Expires)
	case c.ExpiresIn != "":
		fmt.Fprintf(b, "      temporary: reverted by a plan %s after it is applied\n", c.ExpiresIn)
	}
	if in.Triggered {
		b.WriteString("      triggered by changes planned above\n")
	}
	if in.Waits != "" {
		fmt.Fprintf(b, "      %s %s; apply skips this change until then\n", st.Yellow("waits:"), strings.TrimPrefix(in.Waits, "waits for "))
	}
	if c.Action.Changes() {
		writePayload(b, c.Payload)
	}
	b.WriteString("\n")
}

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
