package wsman

import "strings"

// newCommand builds the Command for a request's rsp:Command and
// rsp:Arguments.
func newCommand(command string, arguments []string) Command {
	line := strings.TrimSpace(command)
	for _, a := range arguments {
		line += " " + a
	}
	argv := splitCommandLine(line)
	cmd := Command{Line: line}
	if len(argv) > 0 {
		cmd.Executable = argv[0]
		cmd.Arguments = argv[1:]
	}
	return cmd
}

// splitCommandLine splits a Windows command line as CommandLineToArgvW does.
// The program name ends at the first space or tab, or at the closing quote
// when it starts with one, and knows no escapes. In the arguments, 2n
// backslashes before a quote give n backslashes and the quote toggles
// quoting, 2n+1 give n backslashes and a literal quote, other backslashes
// are literal, and "" inside quotes is a literal quote.
func splitCommandLine(line string) []string {
	var argv []string
	i := 0
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if i == len(line) {
		return nil
	}
	// The program name.
	if line[i] == '"' {
		end := strings.IndexByte(line[i+1:], '"')
		if end < 0 {
			argv = append(argv, line[i+1:])
			return argv
		}
		argv = append(argv, line[i+1:i+1+end])
		i += end + 2
	} else {
		start := i
		for i < len(line) && line[i] != ' ' && line[i] != '\t' {
			i++
		}
		argv = append(argv, line[start:i])
	}

	var cur strings.Builder
	inArg, quoted := false, false
	for i < len(line) {
		c := line[i]
		switch {
		case (c == ' ' || c == '\t') && !quoted:
			if inArg {
				argv = append(argv, cur.String())
				cur.Reset()
				inArg = false
			}
			i++
		case c == '\\':
			n := 0
			for i < len(line) && line[i] == '\\' {
				n++
				i++
			}
			inArg = true
			if i < len(line) && line[i] == '"' {
				cur.WriteString(strings.Repeat(`\`, n/2))
				if n%2 == 1 {
					cur.WriteByte('"')
					i++
				}
				continue
			}
			cur.WriteString(strings.Repeat(`\`, n))
		case c == '"':
			inArg = true
			if quoted && i+1 < len(line) && line[i+1] == '"' {
				cur.WriteByte('"')
				i += 2
				continue
			}
			quoted = !quoted
			i++
		default:
			inArg = true
			cur.WriteByte(c)
			i++
		}
	}
	if inArg {
		argv = append(argv, cur.String())
	}
	return argv
}
