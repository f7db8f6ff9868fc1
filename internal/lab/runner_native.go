package lab

import (
	"context"
	"io"
	"strings"
)

// runNativeScript runs a PowerShell script that is not one of rectify's
// ops. The lab is no PowerShell: it runs the script when it is one native
// command the host has (w32tm, reg, wevtutil, ...), as other WinRM
// clients send one (Ansible's raw module encodes the command line as the
// script of powershell -EncodedCommand). A program the host does not have
// is answered as PowerShell answers it; a cmdlet or any other script is
// refused with an error that says the lab cannot run it, rather than
// pretending that Windows would fail.
func (o *Org) runNativeScript(ctx context.Context, h *Host, script string, stdin io.Reader, stdout, stderr io.Writer) int {
	program, args, ok := nativeCommandLine(script)
	if !ok {
		io.WriteString(stderr, clixml(labCannotRun("this script (%s ...): only rectify's ops and scripts that are one native command", firstWord(script))))
		return 1
	}
	name := programName(program)
	if name == "cmd" || name == "hostname" || o.hasNative(h, name) {
		return o.runProgram(ctx, h, program, args, stdin, stdout, stderr)
	}
	o.recordNative(h, program, args)
	if isCmdletName(program) {
		io.WriteString(stderr, clixml(labCannotRun("the cmdlet %s", program)))
		return 1
	}
	io.WriteString(stderr, clixml(commandNotFound(program)))
	return 1
}

// labCannotRun is the lab's own error for what a Windows host would run
// but the lab does not simulate.
func labCannotRun(format string, args ...any) *scriptError {
	e := thrown("The rectify lab cannot run "+format+".", args...)
	e.ErrorID = "RectifyLabNotSimulated"
	return e
}

// isCmdletName reports whether a command name has a cmdlet's Verb-Noun
// form rather than a program's.
func isCmdletName(name string) bool {
	verb, noun, found := strings.Cut(name, "-")
	return found && verb != "" && noun != "" && !strings.ContainsAny(name, `\/.:`)
}

// nativeCommandLine reads a PowerShell script that is one native command
// into the program and the arguments PowerShell would pass it: words
// separated by blanks, 'literal' and "expandable" strings without
// variables, and an optional leading call operator ("& 'C:\Program
// Files\...\tool.exe' arg"). A script of several lines or statements, a
// pipeline, a redirection, a variable, a subexpression, a script block or
// an escape is not one native command, and ok is false.
func nativeCommandLine(script string) (program string, args []string, ok bool) {
	var line string
	for _, l := range strings.Split(strings.TrimPrefix(script, "\ufeff"), "\n") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		if line != "" {
			return "", nil, false
		}
		line = l
	}
	var words []string
	var cur strings.Builder
	inWord := false
	rs := []rune(line)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case r == '\'' || r == '"':
			inWord = true
			closed := false
			for i++; i < len(rs); i++ {
				if rs[i] == r {
					if r == '\'' && i+1 < len(rs) && rs[i+1] == '\'' {
						cur.WriteRune('\'')
						i++
						continue
					}
					closed = true
					break
				}
				if r == '"' && (rs[i] == '$' || rs[i] == '`') {
					return "", nil, false
				}
				cur.WriteRune(rs[i])
			}
			if !closed {
				return "", nil, false
			}
		case r == '#' && !inWord:
			i = len(rs) // a comment to the end of the line
		case r == '&' && !inWord && len(words) == 0 && (i+1 == len(rs) || rs[i+1] == ' ' || rs[i+1] == '\t'):
			// The call operator before the program.
		case strings.ContainsRune(";|<>&(){}$`,", r) || r == '@' && !inWord:
			return "", nil, false
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	if len(words) == 0 || strings.HasPrefix(words[0], "-") {
		return "", nil, false
	}
	return words[0], words[1:], true
}
