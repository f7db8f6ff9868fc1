package cli

import (
	"fmt"
	"io"
	"strings"
)

// writeManPage writes rectify(1), the manual page of every command of the
// table with its usage and flags, in roff for man(1).
func writeManPage(w io.Writer, version string) error {
	var b strings.Builder
	fmt.Fprintf(&b, ".TH RECTIFY 1 \"\" %s \"rectify manual\"\n", roffQuote("rectify "+version))
	b.WriteString(".SH NAME\nrectify \\- turn a knowledge\\-base article into a reviewed, repeatable fix\n")
	b.WriteString(".SH SYNOPSIS\n.B rectify\n[global options]\n.I command\n[options] [args]\n")
	b.WriteString(".SH DESCRIPTION\n")
	b.WriteString(roffText("rectify reads the live state of every host of an inventory over WinRM and LDAP, plans the changes a playbook calls for, shows them for review, applies them in a change window, verifies that the hosts converged, journals everything, and corrects drift on a schedule.") + "\n")
	b.WriteString(".SH COMMANDS\n")
	for _, r := range commandRefs() {
		fmt.Fprintf(&b, ".SS %s\n", roffText("rectify "+r.name))
		writeRoffUsage(&b, r.usage)
		if len(r.flags) > 0 {
			b.WriteString(".PP\nOptions:\n")
			for _, f := range r.flags {
				writeRoffFlag(&b, f)
			}
		}
	}
	b.WriteString(".SH GLOBAL OPTIONS\nThese go before or after the command name.\n")
	for _, f := range globalFlagRefs() {
		writeRoffFlag(&b, f)
	}
	b.WriteString(".SH EXIT STATUS\n")
	for _, e := range exitCodes() {
		fmt.Fprintf(&b, ".TP\n.B %d\n%s\n", e.code, roffText(e.meaning))
	}
	b.WriteString(`.SH ENVIRONMENT
.TP
.B NO_COLOR
When set to anything but the empty string, no output is coloured.
.TP
.BR RECTIFY_WINRM_USER ", " RECTIFY_WINRM_PASSWORD ", " RECTIFY_LDAP_USER ", " RECTIFY_LDAP_PASSWORD
The credentials inventories read with env(); secrets come only from the environment or files.
.TP
.BI RECTIFY_VAR_ name
The value of a sensitive playbook variable when a saved plan is applied.
.SH SEE ALSO
.B rectify help
.IR command ,
.B rectify completion
.IR shell .
`)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeRoffUsage writes a command's usage: the usage lines in bold, then
// its paragraphs; a paragraph of more deeply indented lines (a list, an
// example) keeps its lines.
func writeRoffUsage(b *strings.Builder, usage string) {
	lines := strings.Split(usage, "\n")
	i := 0
	b.WriteString(".nf\n")
	for ; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
		fmt.Fprintf(b, ".B %s\n", roffText(strings.TrimSpace(strings.TrimPrefix(lines[i], "Usage:"))))
	}
	b.WriteString(".fi\n")
	var para []string
	flush := func() {
		if len(para) == 0 {
			return
		}
		prose := true
		for _, l := range para {
			if !strings.HasPrefix(l, "  ") || strings.HasPrefix(l, "   ") {
				prose = false
			}
		}
		b.WriteString(".PP\n")
		if prose {
			var words []string
			for _, l := range para {
				words = append(words, strings.TrimSpace(l))
			}
			b.WriteString(roffText(strings.Join(words, " ")) + "\n")
		} else {
			b.WriteString(".nf\n")
			for _, l := range para {
				b.WriteString(roffText(strings.TrimPrefix(l, "  ")) + "\n")
			}
			b.WriteString(".fi\n")
		}
		para = nil
	}
	for ; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) == "" {
			flush()
			continue
		}
		para = append(para, lines[i])
	}
	flush()
}

// writeRoffFlag writes one flag as a tagged paragraph.
func writeRoffFlag(b *strings.Builder, f flagRef) {
	b.WriteString(".TP\n")
	if f.value != "" {
		fmt.Fprintf(b, ".BI %s %s\n", roffQuote(roffText("-"+f.name)), roffQuote(" "+strings.ToUpper(f.value)))
	} else {
		fmt.Fprintf(b, ".B %s\n", roffText("-"+f.name))
	}
	text := f.usage
	if f.def != "" {
		text += " (default " + f.def + ")"
	}
	b.WriteString(roffText(text) + "\n")
}

// roffText escapes s for a line of roff text: backslashes, hyphens (so
// that they stay ASCII hyphens), and a leading dot or quote, which would
// make the line a request.
func roffText(s string) string {
	s = strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// roffQuote is s as one double-quoted argument of a roff request.
func roffQuote(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `\(dq`) + `"`
}
