package lab

import (
	"fmt"
	"strings"
)

// scriptError is a PowerShell error record: what a script threw or a
// cmdlet reported, as powershell.exe writes it to standard error.
type scriptError struct {
	Message  string
	Category string // "OperationStopped: (:) [], RuntimeException"
	ErrorID  string // FullyQualifiedErrorId
	Command  string // the failing command's text for the position lines
}

func (e *scriptError) Error() string { return e.Message }

// thrown is the record of a script's `throw "message"`.
func thrown(format string, args ...any) *scriptError {
	msg := fmt.Sprintf(format, args...)
	return &scriptError{Message: msg, Category: "OperationStopped: (:) [], RuntimeException", ErrorID: msg}
}

// commandNotFound is PowerShell's answer for an unknown command.
func commandNotFound(name string) *scriptError {
	return &scriptError{
		Message:  fmt.Sprintf("The term '%s' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.", name),
		Category: fmt.Sprintf("ObjectNotFound: (%s:String) [], CommandNotFoundException", name),
		ErrorID:  "CommandNotFoundException",
		Command:  name,
	}
}

// cmdletError is an error a cmdlet wrote (a non-terminating error made
// terminating by $ErrorActionPreference = 'Stop').
func cmdletError(cmdlet, category, errorID, format string, args ...any) *scriptError {
	msg := fmt.Sprintf(format, args...)
	return &scriptError{
		Message:  msg,
		Category: category,
		ErrorID:  errorID + "," + cmdlet,
		Command:  cmdlet,
	}
}

// clixml renders error records as powershell.exe writes them to standard
// error when its output is redirected: "#< CLIXML" and one <S S="Error">
// element per line, CR LF encoded as _x000D__x000A_.
func clixml(errs ...*scriptError) string {
	var b strings.Builder
	b.WriteString("#< CLIXML\r\n")
	b.WriteString(`<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">`)
	for _, e := range errs {
		lines := []string{}
		head := e.Message
		if e.Command != "" {
			head = e.Command + " : " + e.Message
		}
		lines = append(lines, head, "At line:1 char:1")
		if e.Command != "" {
			lines = append(lines, "+ "+e.Command, "+ "+strings.Repeat("~", max(1, len([]rune(e.Command)))))
		}
		lines = append(lines,
			"    + CategoryInfo          : "+e.Category,
			"    + FullyQualifiedErrorId : "+e.ErrorID,
			" ")
		for _, line := range lines {
			b.WriteString(`<S S="Error">`)
			b.WriteString(encodeCLIXMLString(line + "\r\n"))
			b.WriteString(`</S>`)
		}
	}
	b.WriteString("</Objs>")
	return b.String()
}

// encodeCLIXMLString escapes text for a CLIXML <S> element: XML's own
// escapes, control characters as _xHHHH_, and a literal "_x" as
// _x005F_x so that decoders do not mistake it for an escape.
func encodeCLIXMLString(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '_' && i+1 < len(rs) && (rs[i+1] == 'x' || rs[i+1] == 'X'):
			b.WriteString("_x005F_")
		case r < 0x20 || r == 0x7f || (r >= 0xD800 && r <= 0xDFFF) || r == 0xFFFE || r == 0xFFFF:
			fmt.Fprintf(&b, "_x%04X_", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
