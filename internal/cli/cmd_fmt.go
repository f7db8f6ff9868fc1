package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
)

// fmtCommand rewrites HCL files in the canonical layout.
type fmtCommand struct {
	check     bool
	list      bool
	diff      bool
	recursive bool
}

func (*fmtCommand) Synopsis() string {
	return "Rewrite playbooks and inventories in the canonical layout"
}

func (*fmtCommand) Usage() string {
	return `Usage: rectify fmt [options] [PATH...]

  Rewrites the HCL files of playbooks, inventories, variable files and lab
  scenarios (*.hcl) in the canonical layout: indentation, aligned equals
  signs, spacing. Only the layout changes; what a file means stays the
  same. PATH is a file or a directory (its *.hcl files; with -recursive,
  those of its subdirectories too); the default is the current directory.
  "-" reads standard input and writes the result to standard output.

  Each file that changed is named on standard output. With -check nothing
  is written: the files that are not in the canonical layout are named,
  and the exit status is 1 if there are any, as a CI step wants. A file
  that does not parse is reported with its problems and left as it is.`
}

func (c *fmtCommand) Flags(fs *flag.FlagSet) {
	fs.BoolVar(&c.check, "check", false, "write nothing; exit 1 if any file is not in the canonical layout (nothing is changed)")
	fs.BoolVar(&c.list, "list", true, "name the files that are (or, with -check, would be) rewritten")
	fs.BoolVar(&c.diff, "diff", false, "show what changes in each file, as a unified diff")
	fs.BoolVar(&c.recursive, "recursive", false, "format the files of subdirectories too")
}

func (c *fmtCommand) Run(_ context.Context, a *app, args []string) int {
	wd, err := a.env.Getwd()
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify fmt: %v\n", err)
		return exitError
	}
	if len(args) == 0 {
		args = []string{"."}
	}
	if len(args) == 1 && args[0] == "-" {
		return c.stdin(a)
	}
	var files []string
	failed := false
	for _, arg := range args {
		if arg == "-" {
			return usageError(a.env.Stderr, "fmt", errors.New(`"-" (standard input) cannot be combined with paths`))
		}
		found, err := hclFiles(resolvePath(wd, arg), c.recursive)
		if err != nil {
			fmt.Fprintf(a.env.Stderr, "rectify fmt: %s: %v\n", arg, pathless(err))
			failed = true
			continue
		}
		files = append(files, found...)
	}
	src := sources{}
	var diags hcl.Diagnostics
	unformatted := 0
	for _, f := range files {
		in, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(a.env.Stderr, "rectify fmt: %v\n", err)
			failed = true
			continue
		}
		out, d := formatHCL(in, f)
		if d.HasErrors() {
			src[f] = in
			diags = append(diags, d...)
			continue
		}
		if bytes.Equal(in, out) {
			continue
		}
		unformatted++
		if c.list {
			fmt.Fprintln(a.env.Stdout, relativeName(f, wd))
		}
		if c.diff {
			writeDiff(a.env.Stdout, relativeName(f, wd), in, out)
		}
		if c.check {
			continue
		}
		if err := replaceFile(f, out); err != nil {
			fmt.Fprintf(a.env.Stderr, "rectify fmt: %v\n", err)
			failed = true
		}
	}
	if len(diags) > 0 {
		if err := a.writeDiagnostics(a.env.Stderr, diags, wd, src); err != nil {
			a.log.Error().Err(err).Msg("cannot write diagnostics")
		}
		failed = true
	}
	if failed || (c.check && unformatted > 0) {
		return exitError
	}
	return exitOK
}

// stdin formats standard input to standard output.
func (c *fmtCommand) stdin(a *app) int {
	in, err := io.ReadAll(io.LimitReader(a.env.Stdin, maxSnippetSource+1))
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "rectify fmt: %v\n", err)
		return exitError
	}
	if len(in) > maxSnippetSource {
		fmt.Fprintf(a.env.Stderr, "rectify fmt: standard input is larger than %d bytes\n", maxSnippetSource)
		return exitError
	}
	out, diags := formatHCL(in, "<stdin>")
	if diags.HasErrors() {
		if err := a.writeDiagnostics(a.env.Stderr, diags, "", sources{"<stdin>": in}); err != nil {
			a.log.Error().Err(err).Msg("cannot write diagnostics")
		}
		return exitError
	}
	if c.check {
		if !bytes.Equal(in, out) {
			return exitError
		}
		return exitOK
	}
	if _, err := a.env.Stdout.Write(out); err != nil {
		return exitError
	}
	return exitOK
}

// formatHCL returns src in the canonical layout. A file that does not
// parse is not formatted: hclwrite would lay out whatever tokens it
// finds, and the result could mean something else.
func formatHCL(src []byte, name string) ([]byte, hcl.Diagnostics) {
	if _, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos); diags.HasErrors() {
		return nil, diags
	}
	return hclwrite.Format(src), nil
}

// hclFiles returns path if it is a file, or the *.hcl files of the
// directory path (and of its subdirectories, recursively, skipping hidden
// ones), sorted.
func hclFiles(path string, recursive bool) ([]string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []string{path}, nil
	}
	var out []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != path && (!recursive || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(d.Name(), ".hcl") && d.Type().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// replaceFile writes data over path atomically, keeping its mode: a
// temporary file beside it renamed into place, so that an interrupted
// fmt never leaves half a file.
func replaceFile(path string, data []byte) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".fmt-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(st.Mode().Perm()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// pathless drops the path an *fs.PathError repeats, for messages that
// name the path already.
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
