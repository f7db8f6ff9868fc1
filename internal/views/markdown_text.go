package views

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// A change ticket is read both as rendered Markdown and as plain text (a
// mail, a ticket system that shows the source). Text from a plan is
// therefore escaped only where Markdown would otherwise read it as markup,
// and with backslashes, which CommonMark removes when rendering, never
// with HTML entities, which a code span or a plain-text reader shows as
// they are: "->" stays "->", "EX01\Default EX01" stays as it is, while
// "<reliable source>" (an HTML tag to a renderer) becomes "\<reliable
// source>".

// mdText escapes s for running text: a sentence, a list item, a heading.
// Line breaks become spaces.
func mdText(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	dollars := strings.Count(s, "$") >= 2
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		next, _ := utf8.DecodeRuneInString(s[i+size:])
		prev, _ := utf8.DecodeLastRuneInString(s[:i])
		switch {
		case r == '\\' && (i+size == len(s) || isASCIIPunct(next)):
			// A backslash would escape the punctuation after it, or make
			// a hard line break at the end of a line.
			b.WriteString(`\\`)
		case r == '`', r == '*', r == '~':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '_' && !(isWordRune(prev) && isWordRune(next)):
			// An underscore inside a word (resolve_conflicts) never
			// emphasises; at a word's edge it may.
			b.WriteString(`\_`)
		case r == '<' && (next == '/' || next == '!' || next == '?' || unicode.IsLetter(next)):
			// An HTML tag or an autolink.
			b.WriteString(`\<`)
		case r == '&' && entityAt(s[i+size:]):
			b.WriteString(`\&`)
		case r == ']' && next == '(':
			// The end of a link's text.
			b.WriteString(`\]`)
		case r == '!' && next == '[':
			b.WriteString(`\!`)
		case r == '$' && dollars:
			// Two dollars can delimit mathematics on some renderers.
			b.WriteString(`\$`)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// mdLineStart escapes s like mdText and, since it starts a line of its
// own (a list item's text), also a first character that would open a
// heading, a quote, a list or a rule there.
func mdLineStart(s string) string {
	t := mdText(s)
	if t == "" {
		return t
	}
	switch t[0] {
	case '#', '>', '+', '-', '=':
		return `\` + t
	}
	digits := len(t) - len(strings.TrimLeft(t, "0123456789"))
	if digits > 0 && digits < len(t) && (t[digits] == '.' || t[digits] == ')') {
		return t[:digits] + `\` + t[digits:]
	}
	return t
}

// mdCell escapes s for a table cell, where a pipe ends the cell.
func mdCell(s string) string {
	return strings.ReplaceAll(mdText(s), "|", `\|`)
}

// mdCode returns s as a code span, shown exactly as it is: the span's
// backtick run is longer than any in s.
func mdCode(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	ticks := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return ticks + s + ticks
}

func isASCIIPunct(r rune) bool {
	return r < utf8.RuneSelf && unicode.IsPunct(r) || strings.ContainsRune("$+<=>^`|~", r)
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// entityAt reports whether s starts like the rest of an HTML entity
// ("amp;", "#39;", "#x27;"), which a renderer would decode.
func entityAt(s string) bool {
	end := strings.IndexByte(s, ';')
	if end <= 0 || end > 32 {
		return false
	}
	name := strings.TrimPrefix(s[:end], "#")
	if name == "" {
		return false
	}
	for _, r := range name {
		if !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))) {
			return false
		}
	}
	return true
}
