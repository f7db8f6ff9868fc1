package views

import (
	"fmt"
	"io"
	"strings"

	"github.com/rectifyhq/rectify/plans"
)

// Markdown writes p for a change ticket, the record a change is approved
// on: an overview table, then every change as the text view shows it
// (its attributes, findings, why, risk, undo, expiry, what it waits for
// and the payload apply sends), the blocked findings, the findings that
// need no change, and the errors.
func Markdown(w io.Writer, p *plans.Plan) error {
	var b strings.Builder
	writeMarkdownHeader(&b, p)

	b.WriteString("## Changes\n\n")
	var changes, blocked, notes []plans.Instance
	for _, in := range p.Instances {
		switch {
		case in.Error != "":
		case in.Change.Action.Changes():
			changes = append(changes, in)
		case in.Change.Action == plans.Blocked:
			blocked = append(blocked, in)
		case len(in.Change.Findings) > 0:
			notes = append(notes, in)
		}
	}
	if len(changes) == 0 {
		b.WriteString("No changes.\n\n")
	} else {
		b.WriteString("| # | Host | Step | Action | Object |\n|---|---|---|---|---|\n")
		for i, in := range changes {
			fmt.Fprintf(&b, "| %d | %s | %s | %s | %s |\n", i+1, mdCell(in.Host), mdCell(in.Step), in.Change.Action, mdCell(in.Change.Object))
		}
		b.WriteString("\nEach change shows the data apply sends: apply runs a change only when the playbook calls for exactly this. Sensitive values show as (sensitive).\n\n")
		for i, in := range changes {
			writeMarkdownChange(&b, fmt.Sprintf("%d. ", i+1), in)
		}
	}
	if len(blocked) > 0 {
		b.WriteString("## Findings rectify will not fix\n\n")
		for _, in := range blocked {
			writeMarkdownChange(&b, "", in)
		}
	}
	if len(notes) > 0 {
		b.WriteString("## Findings (no change needed)\n\n")
		for _, in := range notes {
			fmt.Fprintf(&b, "- %s:\n", mdCode(in.Address))
			for _, f := range in.Change.Findings {
				writeMarkdownItem(&b, "  ", "", f)
			}
		}
		b.WriteString("\n")
	}
	writeMarkdownErrors(&b, p)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeMarkdownHeader writes the title and what the plan was made from.
func writeMarkdownHeader(b *strings.Builder, p *plans.Plan) {
	title := p.Playbook.Name
	if p.Playbook.Title != "" {
		title = p.Playbook.Title
	}
	fmt.Fprintf(b, "# Change plan: %s\n\n", mdText(title))
	if p.Playbook.KB != "" {
		fmt.Fprintf(b, "- Knowledge-base article: KB %s\n", mdText(p.Playbook.KB))
	}
	fmt.Fprintf(b, "- Playbook: %s (%s)\n", mdCode(p.Playbook.Name), plans.ShortDigest(p.Playbook.Digest))
	fmt.Fprintf(b, "- Inventory: %s (%s)\n", mdCode(p.Inventory.Path), plans.ShortDigest(p.Inventory.Digest))
	if p.Inventory.Limit != "" {
		fmt.Fprintf(b, "- Limited to: %s\n", mdCode(p.Inventory.Limit))
	}
	fmt.Fprintf(b, "- Planned at: %s\n", p.CreatedAt.Format("2006-01-02 15:04 MST"))
	for _, win := range p.Windows {
		fmt.Fprintf(b, "- Change window: %s for %s (%s)\n", mdCode(win.Start()), mdText(win.Duration().String()), mdText(win.Location().String()))
	}
	if p.Rollout.Serial.IsSet() {
		fmt.Fprintf(b, "- Rollout: %s host(s) at a time, at most %d failure(s)\n", mdText(p.Rollout.Serial.String()), p.Rollout.MaxFail)
	}
	s := p.Summary()
	fmt.Fprintf(b, "- Summary: %d to create, %d to update, %d to delete, %d to run, %d blocked, %s\n\n", s.Create, s.Update, s.Delete, s.Run, s.Blocked, plural(s.Errors, "error", "errors"))
}

// writeMarkdownChange writes one change or blocked finding as the text
// view does: a heading, the attributes in a code block (the same lines
// as the text view's), the findings, why, risk, undo, expiry, trigger and
// wait, then, for a change, the payload apply sends.
func writeMarkdownChange(b *strings.Builder, number string, in plans.Instance) {
	c := in.Change
	fmt.Fprintf(b, "### %s%s (%s)", number, mdCode(in.Address), mdText(in.Action))
	if c.Object != "" {
		fmt.Fprintf(b, ": %s", mdText(c.Object))
	}
	fmt.Fprintf(b, " %s\n\n", verb(c.Action))
	if lines := attrLines(c); len(lines) > 0 {
		var text []string
		diff := false
		for _, l := range lines {
			if l.marker == plans.NoOp {
				text = append(text, l.text)
				continue
			}
			diff = true
			text = append(text, l.marker.Symbol()+" "+l.text)
		}
		body := strings.Join(text, "\n")
		lang := "text"
		if diff {
			lang = "diff"
		}
		f := fence(body)
		fmt.Fprintf(b, "%s%s\n%s\n%s\n\n", f, lang, body, f)
	}
	items := false
	item := func(label, text string) {
		items = true
		lead := ""
		if label != "" {
			lead = "**" + label + ":** "
		}
		writeMarkdownItem(b, "", lead, text)
	}
	if len(c.Findings) > 0 {
		items = true
		b.WriteString("- Findings:\n")
		for _, f := range c.Findings {
			writeMarkdownItem(b, "  ", "", f)
		}
	}
	if c.Reason != "" {
		item("Why", c.Reason)
	}
	if c.Risk != "" {
		item("Risk", c.Risk)
	}
	if c.Undo != "" {
		item("Undo", c.Undo)
	}
	if e := expiry(c); e != "" {
		item("", strings.ToUpper(e[:1])+e[1:])
	}
	if in.Triggered {
		item("", "Triggered by changes planned above")
	}
	if in.Waits != "" {
		item("Waits", waitsText(in.Waits)+"; apply skips this change until then")
	}
	if items {
		b.WriteString("\n")
	}
	if !c.Action.Changes() {
		return
	}
	if text, ok := payloadJSON(c.Payload); ok {
		f := fence(text)
		fmt.Fprintf(b, "Apply sends:\n\n%sjson\n%s\n%s\n\n", f, text, f)
	}
}

// writeMarkdownItem writes one list item, indented by indent: lead (Markdown
// already, such as "**Why:** ") and text. Text of several lines (a
// command's output) goes on in a code block inside the item, where it
// keeps its lines and indentation.
func writeMarkdownItem(b *strings.Builder, indent, lead, text string) {
	text = strings.TrimRight(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	first, rest, multi := strings.Cut(text, "\n")
	if lead == "" {
		first = mdLineStart(first)
	} else {
		first = mdText(first)
	}
	fmt.Fprintf(b, "%s- %s%s\n", indent, lead, first)
	if !multi {
		return
	}
	inner := indent + "  "
	f := fence(rest)
	fmt.Fprintf(b, "\n%s%s\n", inner, f)
	for _, l := range strings.Split(rest, "\n") {
		fmt.Fprintf(b, "%s%s\n", inner, l)
	}
	fmt.Fprintf(b, "%s%s\n", inner, f)
}

// writeMarkdownErrors lists the hosts that could not be read and the
// instances that could not be planned.
func writeMarkdownErrors(b *strings.Builder, p *plans.Plan) {
	var items [][2]string
	for _, h := range p.Hosts {
		if h.Error != "" {
			items = append(items, [2]string{"Host **" + mdText(h.Name) + "** could not be read", h.Error})
		}
	}
	for _, in := range p.Instances {
		if h, ok := p.Host(in.Host); in.Error != "" && !(ok && h.Error != "") {
			items = append(items, [2]string{mdCode(in.Address) + " could not be planned", in.Error})
		}
	}
	if len(items) == 0 {
		return
	}
	b.WriteString("## Errors (nothing changes there)\n\n")
	for _, it := range items {
		writeMarkdownItem(b, "", it[0]+": ", it[1])
	}
	b.WriteString("\n")
}
