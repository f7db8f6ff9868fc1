package playbooks

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/rectifyhq/rectify/actions"
)

// MaxFileSize is the largest playbook or variable file that is read.
// Playbooks are small; a larger file is refused with a diagnostic instead
// of being parsed.
const MaxFileSize = 1 << 20

// LoadDir loads the playbook at path: a directory, whose .hcl files are
// read in name order, or a single file. It decodes everything that does
// not depend on variable values or an inventory, and looks actions up in
// reg. It returns the playbook even when there are errors, so that
// Evaluate can still report the problems of the parts that decoded.
func LoadDir(path string, reg *actions.Registry) (*Playbook, hcl.Diagnostics) {
	names, dir, diags := playbookFiles(path)
	srcs := map[string][]byte{}
	for _, name := range names {
		src, d := readSource(name)
		diags = append(diags, d...)
		if src != nil {
			srcs[name] = src
		}
	}
	p, more := loadSources(dir, names, srcs, reg)
	return p, tidyDiagnostics(append(diags, more...))
}

// Load runs both stages: LoadDir, then Evaluate. It returns the resolved
// playbook (its Playbook field holds the static one) and the problems of
// both stages in source order.
func Load(path string, reg *actions.Registry, in EvalInput) (*Resolved, hcl.Diagnostics) {
	p, diags := LoadDir(path, reg)
	r, more := p.Evaluate(in)
	return r, tidyDiagnostics(append(diags, more...))
}

// loadSources decodes the named files of a playbook in dir; srcs holds
// the bytes of those that could be read.
func loadSources(dir string, names []string, srcs map[string][]byte, reg *actions.Registry) (*Playbook, hcl.Diagnostics) {
	p := &Playbook{
		Dir:       dir,
		Variables: map[string]*Variable{},
		Locals:    map[string]*Local{},
		Files:     map[string][]byte{},

		stepsByName: map[string]*Step{},
	}
	var diags hcl.Diagnostics
	var files []*hcl.File
	for _, name := range names {
		src, ok := srcs[name]
		if !ok {
			continue
		}
		p.Files[name] = src
		f, d := parseSource(src, name)
		diags = append(diags, d...)
		if f != nil {
			files = append(files, f)
		}
	}
	p.Digest = digest(dir, p.Files)
	if len(names) > 0 {
		dec := decoder{p: p, reg: reg}
		diags = append(diags, dec.decode(files)...)
	}
	return p, diags
}

// playbookFiles lists the files of the playbook at path and the directory
// they are relative to.
func playbookFiles(path string) ([]string, string, hcl.Diagnostics) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, filepath.Dir(path), hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read playbook",
			Detail:   fmt.Sprintf("The playbook %q cannot be read: %s.", path, pathError(err)),
		}}
	}
	if !st.IsDir() {
		return []string{path}, filepath.Dir(path), nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, path, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read playbook",
			Detail:   fmt.Sprintf("The playbook directory %q cannot be listed: %s.", path, pathError(err)),
		}}
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".hcl") || strings.HasPrefix(n, ".") {
			continue
		}
		names = append(names, filepath.Join(path, n))
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, path, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No playbook files",
			Detail:   fmt.Sprintf("The directory %q holds no .hcl files.", path),
		}}
	}
	return names, path, nil
}

// readSource reads a file of at most MaxFileSize bytes.
func readSource(name string) ([]byte, hcl.Diagnostics) {
	fail := func(why string) hcl.Diagnostics {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read file",
			Detail:   fmt.Sprintf("The file %q cannot be read: %s.", name, why),
			Subject:  &hcl.Range{Filename: name, Start: hcl.InitialPos, End: hcl.InitialPos},
		}}
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fail(pathError(err))
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fail(pathError(err))
	}
	if len(src) > MaxFileSize {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "File too large",
			Detail:   fmt.Sprintf("The file %q is larger than %d bytes, the most rectify reads from one file.", name, MaxFileSize),
			Subject:  &hcl.Range{Filename: name, Start: hcl.InitialPos, End: hcl.InitialPos},
		}}
	}
	return src, nil
}

// parseSource parses HCL native syntax after checking that the nesting is
// shallow enough for the recursive parser.
func parseSource(src []byte, name string) (*hcl.File, hcl.Diagnostics) {
	if len(src) > MaxFileSize {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "File too large",
			Detail:   fmt.Sprintf("The file %q is larger than %d bytes, the most rectify reads from one file.", name, MaxFileSize),
			Subject:  &hcl.Range{Filename: name, Start: hcl.InitialPos, End: hcl.InitialPos},
		}}
	}
	if diags := checkNesting(src, name); diags.HasErrors() {
		return nil, diags
	}
	return hclsyntax.ParseConfig(src, name, hcl.InitialPos)
}

// pathError returns the reason of a file system error without the path,
// which the caller's message already names.
func pathError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
