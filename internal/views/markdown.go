package views

import (
	"fmt"
	"io"
	"strings"

	"github.com/rectifyhq/rectify/plans"
)

// mdEscape keeps text from breaking a Markdown table cell.
func mdEscape(s string) string {
	r := strings.NewReplacer("|", `\|`, "\n", " ", "\r", "", "`", "'", "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}

// Markdown writes p for a change ticket: what, where, why, risk and how to
// undo each change, the blocked findings, and what the plan was made from.
func Markdown(w io.Writer, p *plans.Plan) error {
	var b strings.Builder
	title := p.Playbook.Name
	if p.Playbook.Title != "" {
		title = p.Playbook.Title
	}
	fmt.Fprintf(&b, "# Change plan: %s\n\n", mdEscape(title))
	if p.Playbook.KB != "" {
		fmt.Fprintf(&b, "- Knowledge-base article: KB %s\n", mdEscape(p.Playbook.KB))
	}
	fmt.Fprintf(&b, "- Playbook: `%s` (%s)\n", mdEscape(p.Playbook.Name), plans.ShortDigest(p.Playbook.Digest))
	fmt.Fprintf(&b, "- Inventory: `%s` (%s)\n", mdEscape(p.Inventory.Path), plans.ShortDigest(p.Inventory.Digest))
	fmt.Fprintf(&b, "- Planned at: %s\n", p.CreatedAt.Format("2006-01-02 15:04 MST"))
	for _, win := range p.Windows {
		tz := win.Timezone
		if tz == "" {
			tz = "UTC"
		}
		fmt.Fprintf(&b, "- Change window: `%s` for %s (%s)\n", mdEscape(win.Start), mdEscape(win.Duration), mdEscape(tz))
	}
	if p.Rollout.Serial != "" {
		fmt.Fprintf(&b, "- Rollout: %s host(s) at a time, at most %d failure(s)\n", mdEscape(p.Rollout.Serial), p.Rollout.MaxFail)
	}
	s := p.Summary()
	fmt.Fprintf(&b, "- Summary: %d to create, %d to update, %d to delete, %d to run, %d blocked, %s\n\n", s.Create, s.Update, s.Delete, s.Run, s.Blocked, plural(s.Errors, "error", "errors"))

	b.WriteString("## Changes\n\n")
	n := 0
	for _, in := range p.Instances {
		if in.Error != "" || !in.Change.Action.Changes() {
			continue
		}
		if n == 0 {
			b.WriteString("| # | Host | Step | Action | What | Why | Risk | Undo |\n|---|---|---|---|---|---|---|---|\n")
		}
		n++
		c := in.Change
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s | %s | %s |\n", n, mdEscape(in.Host), mdEscape(in.Step), c.Action,
			mdEscape(what(c)), mdEscape(c.Reason), mdEscape(c.Risk), mdEscape(c.Undo))
	}
	if n == 0 {
		b.WriteString("No changes.\n")
	}
	b.WriteString("\n")
	writeMarkdownPayloads(&b, p)

	blocked := false
	for _, in := range p.Instances {
		if in.Error != "" || in.Change.Action != plans.Blocked {
			continue
		}
		if !blocked {
			b.WriteString("## Findings rectify will not fix\n\n")
			blocked = true
		}
		fmt.Fprintf(&b, "- **%s** on %s: %s. %s\n", mdEscape(in.Change.Object), mdEscape(in.Host), mdEscape(in.Change.Reason), mdEscape(strings.Join(in.Change.Findings, "; ")))
	}
	if blocked {
		b.WriteString("\n")
	}
	var errs []string
	for _, h := range p.Hosts {
		if h.Error != "" {
			errs = append(errs, fmt.Sprintf("- Host **%s** could not be read: %s\n", mdEscape(h.Name), mdEscape(h.Error)))
		}
	}
	for _, in := range p.Instances {
		if h, ok := p.Host(in.Host); in.Error != "" && !(ok && h.Error != "") {
			errs = append(errs, fmt.Sprintf("- `%s` could not be planned: %s\n", mdEscape(in.Address), mdEscape(in.Error)))
		}
	}
	if len(errs) > 0 {
		b.WriteString("## Errors (nothing changes there)\n\n")
		b.WriteString(strings.Join(errs, ""))
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func what(c plans.Change) string {
	parts := []string{c.Object}
	for _, a := range c.Attrs {
		if a.Sensitive {
			parts = append(parts, a.Name+": (sensitive)")
			continue
		}
		switch {
		case a.Before == nil:
			parts = append(parts, fmt.Sprintf("%s: %s", a.Name, value(a.After)))
		case a.After == nil:
			parts = append(parts, fmt.Sprintf("%s: remove %s", a.Name, value(a.Before)))
		default:
			parts = append(parts, fmt.Sprintf("%s: %s → %s", a.Name, value(a.Before), value(a.After)))
		}
	}
	return strings.Join(parts, "; ")
}

// writeMarkdownPayloads lists, for each change of the table, what apply
// sends: the payload apply's own re-plan must equal.
func writeMarkdownPayloads(b *strings.Builder, p *plans.Plan) {
	n, header := 0, false
	for _, in := range p.Instances {
		if in.Error != "" || !in.Change.Action.Changes() {
			continue
		}
		n++
		text, ok := payloadJSON(in.Change.Payload)
		if !ok {
			continue
		}
		if !header {
			header = true
			b.WriteString("## What apply runs\n\nThe data each change sends; apply runs a change only when the playbook calls for exactly this. Sensitive values show as (sensitive).\n\n")
		}
		f := fence(text)
		fmt.Fprintf(b, "%d. `%s`\n\n%sjson\n%s\n%s\n\n", n, mdEscape(in.Address), f, text, f)
	}
}
