package cli

import (
	"flag"
	"sort"
	"strings"
)

// The shell completions and the manual page are generated from the
// command table, as "rectify help" is: a command or flag added to the
// table is completed and documented without further work.

// flagRef is one flag as completion and the manual describe it.
type flagRef struct {
	name  string
	usage string
	// value is the flag's value placeholder ("file", "duration"); "" for
	// a boolean flag.
	value string
	def   string
	// files is set when the value is a file or directory name.
	files bool
	// choices are the values the flag accepts, when they are few.
	choices []string
}

// commandRef is one command of the table as completion and the manual
// describe it.
type commandRef struct {
	name     string
	synopsis string
	usage    string
	flags    []flagRef
	// words are what the command's positional arguments are, when they
	// are words rather than file names (help: the commands).
	words []string
	// noArgs is set for a command without positional arguments.
	noArgs bool
}

// argWords is the optional interface of a command whose positional
// arguments are words to complete rather than file names.
type argWords interface {
	argWords() []string
}

// noArgsCommand is the optional interface of a command that takes no
// positional argument.
type noArgsCommand interface {
	takesNoArgs()
}

// flagChoices are the values of the flags that take one of a few words,
// by flag name.
var flagChoices = map[string][]string{
	"log-level":  {"trace", "debug", "info", "warn", "error", "disabled"},
	"log-format": {"json", "console"},
	"mode":       {"monitor", "correct"},
	"locale":     {"en-US", "ja-JP"},
	"format":     {"hcl", "ansible-yaml"},
}

// fileValues are the value placeholders that name a file or directory.
var fileValues = map[string]bool{"file": true, "path": true, "DIR": true, "dir": true}

// flagRefs describes the flags of fs, in name order.
func flagRefs(fs *flag.FlagSet) []flagRef {
	var out []flagRef
	fs.VisitAll(func(f *flag.Flag) {
		value, usage := flag.UnquoteUsage(f)
		r := flagRef{name: f.Name, usage: usage, value: value, files: fileValues[value], choices: flagChoices[f.Name]}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "[]" && f.DefValue != "0" {
			r.def = f.DefValue
		}
		out = append(out, r)
	})
	return out
}

// globalFlagRefs describes the flags every command takes.
func globalFlagRefs() []flagRef {
	g := defaultGlobals()
	fs := flag.NewFlagSet("rectify", flag.ContinueOnError)
	g.register(fs)
	return flagRefs(fs)
}

// commandRefs describes every command of the table, in its order.
func commandRefs() []commandRef {
	var out []commandRef
	for _, e := range commandTable() {
		c := e.make()
		fs := flag.NewFlagSet("rectify "+e.name, flag.ContinueOnError)
		c.Flags(fs)
		r := commandRef{name: e.name, synopsis: c.Synopsis(), usage: c.Usage(), flags: flagRefs(fs)}
		if w, ok := c.(argWords); ok {
			r.words = w.argWords()
		}
		if _, ok := c.(noArgsCommand); ok {
			r.noArgs = true
		}
		out = append(out, r)
	}
	return out
}

// allFlagNames returns every flag name of r and the global flags, sorted.
func allFlagNames(r commandRef) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range append(append([]flagRef{}, r.flags...), globalFlagRefs()...) {
		if !seen[f.name] {
			seen[f.name] = true
			out = append(out, f.name)
		}
	}
	sort.Strings(out)
	return out
}

// lookupFlag returns the flag called name of r or the global ones.
func lookupFlag(r commandRef, name string) (flagRef, bool) {
	for _, f := range append(append([]flagRef{}, r.flags...), globalFlagRefs()...) {
		if f.name == name {
			return f, true
		}
	}
	return flagRef{}, false
}

// oneLine is s on one line, for a description in a completion script.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

var (
	_ noArgsCommand = (*versionCommand)(nil)
	_ noArgsCommand = (*demoCommand)(nil)
	_ noArgsCommand = (*labCommand)(nil)
	_ argWords      = (*helpCommand)(nil)
)
