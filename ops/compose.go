package ops

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// The library is composed when it loads. Helpers shared by several ops
// live once, in scripts/lib/<name>.ps1, and an op's source declares the
// helpers it uses on the line after its marker:
//
//	# rectify:op registry.set v1
//	# rectify:uses args, json, registry, registry_compare
//
// A helper may itself declare, on its first line, the helpers it uses. The
// op's Script.Text is the assembled script: the source's leading comment
// lines (marker first), then every helper it uses, each once and after the
// helpers it uses in turn, then the rest of the source. That text is what a
// Shell sends and what a digest covers; it is the same on every load.

// libDir holds the helpers, below the scripts directory.
const libDir = "lib"

// argsHelper is the helper that opens every op taking arguments: the param
// block and the decoding of the argument document into $a. PowerShell
// accepts a param block only before any statement, so it must be the first
// helper an op names, and no helper can use it.
const argsHelper = "args"

// usesPrefix starts the line that declares a script's helpers.
const usesPrefix = "# rectify:uses"

// helperNamePattern is the form of a helper's name, its file name without
// .ps1.
var helperNamePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// helper is one file of scripts/lib.
type helper struct {
	uses []string
	// text is the helper's code without its uses line, ending in one
	// newline.
	text string
}

// parseUses reads a "# rectify:uses a, b" line of file: the helpers it
// names, in order. ok is false when line is no uses line.
func parseUses(file, line string) (names []string, ok bool, err error) {
	rest, found := strings.CutPrefix(line, usesPrefix)
	if !found || (rest != "" && rest[0] != ' ') {
		return nil, false, nil
	}
	seen := map[string]bool{}
	for n := range strings.SplitSeq(rest, ",") {
		n = strings.TrimSpace(n)
		switch {
		case n == "":
			return nil, true, fmt.Errorf("%s: the uses line %q names an empty helper", file, line)
		case !helperNamePattern.MatchString(n):
			return nil, true, fmt.Errorf("%s: %q is not a helper name (lowercase letters, digits and _)", file, n)
		case seen[n]:
			return nil, true, fmt.Errorf("%s: the uses line names %s twice", file, n)
		}
		seen[n] = true
		names = append(names, n)
	}
	return names, true, nil
}

// readHelpers reads every helper of dir/lib.
func readHelpers(fsys fs.FS, dir string) (map[string]helper, error) {
	entries, err := fs.ReadDir(fsys, path.Join(dir, libDir))
	if err != nil {
		return nil, err
	}
	helpers := map[string]helper{}
	for _, e := range entries {
		file := path.Join(libDir, e.Name())
		name, isScript := strings.CutSuffix(e.Name(), ".ps1")
		if e.IsDir() || !isScript {
			continue
		}
		if !helperNamePattern.MatchString(name) {
			return nil, fmt.Errorf("%s: %q is not a helper name (lowercase letters, digits and _)", file, name)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, file))
		if err != nil {
			return nil, err
		}
		text := string(b)
		if _, _, ok := ParseMarker(text); ok {
			return nil, fmt.Errorf("%s: a helper carries no op marker; ops live in scripts/", file)
		}
		first, rest, _ := strings.Cut(text, "\n")
		uses, ok, err := parseUses(file, first)
		if err != nil {
			return nil, err
		}
		if ok {
			text = rest
		}
		if err := misplacedUses(file, text); err != nil {
			return nil, err
		}
		if slices.Contains(uses, argsHelper) {
			return nil, fmt.Errorf("%s: a helper cannot use %s: only an op receives arguments", file, argsHelper)
		}
		text = strings.Trim(text, "\n")
		if text == "" {
			return nil, fmt.Errorf("%s: the helper holds no code", file)
		}
		helpers[name] = helper{uses: uses, text: text + "\n"}
	}
	return helpers, nil
}

// misplacedUses reports a uses line anywhere in text, which holds what
// follows the place a uses line may stand.
func misplacedUses(file, text string) error {
	for line := range strings.SplitSeq(text, "\n") {
		if _, ok, _ := parseUses(file, line); ok {
			return fmt.Errorf("%s: %q must be the line after the marker (ops) or the first line (helpers)", file, line)
		}
	}
	return nil
}

// order returns the helpers of uses and of the helpers they use, each
// once, every helper after those it uses, otherwise in the order named.
// file names the script, for errors.
func order(file string, uses []string, helpers map[string]helper) ([]string, error) {
	var out []string
	done := map[string]bool{}
	var visit func(name string, chain []string) error
	visit = func(name string, chain []string) error {
		if done[name] {
			return nil
		}
		for i, p := range chain {
			if p == name {
				return fmt.Errorf("%s: helpers use each other in a cycle: %s", file, strings.Join(append(chain[i:], name), " -> "))
			}
		}
		h, ok := helpers[name]
		if !ok {
			by := file
			if len(chain) > 0 {
				by = chain[len(chain)-1] + " (used by " + file + ")"
			}
			return fmt.Errorf("%s uses %q, which is no helper in scripts/lib (the helpers are %s)", by, name, strings.Join(helperNames(helpers), ", "))
		}
		for _, u := range h.uses {
			if err := visit(u, append(chain, name)); err != nil {
				return err
			}
		}
		done[name] = true
		out = append(out, name)
		return nil
	}
	for _, u := range uses {
		if err := visit(u, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func helperNames(helpers map[string]helper) []string {
	names := make([]string, 0, len(helpers))
	for n := range helpers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// assemble composes one op's script from its source text.
func assemble(file, text string, helpers map[string]helper) (string, error) {
	marker, rest, _ := strings.Cut(text, "\n")
	second, afterSecond, _ := strings.Cut(rest, "\n")
	uses, ok, err := parseUses(file, second)
	if err != nil {
		return "", err
	}
	if !ok {
		if err := misplacedUses(file, rest); err != nil {
			return "", err
		}
		return text, nil
	}
	if err := misplacedUses(file, afterSecond); err != nil {
		return "", err
	}
	for i, u := range uses {
		if u == argsHelper && i != 0 {
			return "", fmt.Errorf("%s: %s must be the first helper named: it holds the param block, which PowerShell accepts only before any statement", file, argsHelper)
		}
	}
	names, err := order(file, uses, helpers)
	if err != nil {
		return "", err
	}
	// The header is the marker, the uses line and the comment lines
	// that follow them; the helpers go between it and the code.
	var b strings.Builder
	b.WriteString(marker + "\n" + second + "\n")
	body := afterSecond
	for body != "" && strings.HasPrefix(body, "#") {
		line, next, _ := strings.Cut(body, "\n")
		b.WriteString(line + "\n")
		body = next
	}
	for i, n := range names {
		if i > 0 {
			b.WriteString("\n")
		}
		b.WriteString(helpers[n].text)
	}
	b.WriteString("\n")
	b.WriteString(strings.TrimLeft(body, "\n"))
	return b.String(), nil
}
