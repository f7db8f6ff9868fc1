package cli

import (
	"flag"
	"fmt"
	"strings"
)

// unknownFlagError is a flag the command does not have, with the closest
// flag it does have when one is near enough to be what was meant.
type unknownFlagError struct {
	name    string
	suggest string
}

func (e *unknownFlagError) Error() string {
	msg := fmt.Sprintf("flag provided but not defined: -%s", e.name)
	if e.suggest != "" {
		msg += fmt.Sprintf("; did you mean -%s?", e.suggest)
	}
	return msg
}

// findUnknownFlag walks args as fs would parse them (flags with their
// values, "--" ending the flags, and with interspersed flags among
// positional arguments too) and returns the first flag fs does not
// define, or nil.
func findUnknownFlag(fs *flag.FlagSet, args []string, interspersed bool) *unknownFlagError {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return nil
		}
		if len(a) < 2 || a[0] != '-' {
			if !interspersed {
				return nil
			}
			continue
		}
		name := strings.TrimLeft(a, "-")
		name, _, hasValue := strings.Cut(name, "=")
		if name == "" {
			continue
		}
		f := fs.Lookup(name)
		if f == nil {
			if name == "h" || name == "help" {
				continue
			}
			var names []string
			fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
			return &unknownFlagError{name: name, suggest: closest(name, names)}
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if !hasValue {
			i++ // the flag's value
		}
	}
	return nil
}

// commandNames returns the names of the command table.
func commandNames() []string {
	var names []string
	for _, c := range commandTable() {
		names = append(names, c.name)
	}
	return names
}

// unknownCommandError is a command rectify does not have, with the closest
// it has.
func unknownCommandError(name string) error {
	if s := closest(name, commandNames()); s != "" {
		return fmt.Errorf("unknown command %q; did you mean %q?", name, s)
	}
	return fmt.Errorf("unknown command %q", name)
}

// closest returns the candidate nearest to s by edit distance, when it is
// near enough to be a typing mistake (at most a third of its length, and
// 2 at least), or a candidate s is a prefix of; "" otherwise.
func closest(s string, candidates []string) string {
	best, bestDist := "", -1
	for _, c := range candidates {
		d := editDistance(strings.ToLower(s), c)
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	if bestDist >= 0 && bestDist <= max(2, len(s)/3) && bestDist < len(s) {
		return best
	}
	for _, c := range candidates {
		if len(s) >= 3 && strings.HasPrefix(c, s) {
			return c
		}
	}
	return ""
}

// editDistance is the Damerau-Levenshtein distance (with adjacent
// transpositions) between a and b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
