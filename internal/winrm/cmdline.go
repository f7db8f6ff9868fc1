package winrm

import (
	"fmt"
	"regexp"
	"strings"
)

// programPattern is the form of a program name or path CommandLine accepts:
// no spaces, no characters cmd.exe interprets.
var programPattern = regexp.MustCompile(`^[A-Za-z0-9_.:\\/-]+$`)

// cmdMeta lists the characters cmd.exe interprets even inside double
// quotes or that would end a quoted argument: CommandLine refuses them
// rather than trying to escape them. ^ & | < > ( ) are operators or escapes,
// % and ! expand variables (! with delayed expansion), " ends quoting.
const cmdMeta = "\"%!^&|<>()"

// CommandLine builds the command line for a native program run through
// cmd.exe, or refuses arguments that cmd.exe would interpret. The program
// must be a plain name or path ([A-Za-z0-9_.:\/-]); an argument may not hold
// control characters other than tab or any of " % ! ^ & | < > ( ). Arguments with spaces or
// tabs, and empty ones, are enclosed in double quotes, with backslashes
// before the closing quote doubled as CommandLineToArgvW expects.
func CommandLine(program string, args ...string) (string, error) {
	if !programPattern.MatchString(program) {
		return "", fmt.Errorf("program name %q is not a plain name or path", program)
	}
	var b strings.Builder
	b.WriteString(program)
	for i, a := range args {
		for _, r := range a {
			if (r < 0x20 && r != '\t') || r == 0x7f || strings.ContainsRune(cmdMeta, r) {
				return "", fmt.Errorf("argument %d holds %q, which cmd.exe would interpret", i+1, r)
			}
		}
		b.WriteByte(' ')
		if a != "" && !strings.ContainsAny(a, " \t") {
			b.WriteString(a)
			continue
		}
		trailing := len(a) - len(strings.TrimRight(a, `\`))
		b.WriteByte('"')
		b.WriteString(a)
		b.WriteString(strings.Repeat(`\`, trailing))
		b.WriteByte('"')
	}
	return b.String(), nil
}
