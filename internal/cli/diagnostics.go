package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/rectifyhq/rectify/internal/views"
	"github.com/rectifyhq/rectify/inventory"
)

// maxSnippetSource bounds a file read back only to show a snippet.
const maxSnippetSource = 4 << 20

// sources holds the bytes of the files diagnostics point into, keyed by
// the names their ranges use.
type sources map[string][]byte

func (s sources) add(m map[string][]byte) {
	for k, v := range m {
		s[k] = v
		// Plans name files by their absolute paths.
		if abs, err := filepath.Abs(k); err == nil {
			s[abs] = v
		}
	}
}

// writeInstanceDiagnostics renders the errors of instances (see
// views.PlanDiagnostics) on stderr as load errors are rendered.
func (a *app) writeInstanceDiagnostics(diags hcl.Diagnostics, wd string, lr *loadedRun) {
	if len(diags) == 0 {
		return
	}
	fmt.Fprintln(a.env.Stderr)
	if err := a.writeDiagnostics(a.env.Stderr, diags, wd, lr.src); err != nil {
		a.log.Error().Err(err).Msg("cannot write diagnostics")
	}
}

// writeDiagnostics renders diags with HCL's text writer: file:line:col and
// a snippet for each, colour only on a terminal, wrapped to its width.
// File names under wd are shown relative to it.
func (a *app) writeDiagnostics(w io.Writer, diags hcl.Diagnostics, wd string, src sources) error {
	files := map[string]*hcl.File{}
	var shown hcl.Diagnostics
	for _, d := range diags {
		c := *d
		c.Subject = relativeRange(d.Subject, wd)
		c.Context = relativeRange(d.Context, wd)
		for _, r := range []*hcl.Range{d.Subject, d.Context} {
			if r == nil {
				continue
			}
			short := relativeName(r.Filename, wd)
			if _, ok := files[short]; ok {
				continue
			}
			if b, ok := src[r.Filename]; ok {
				files[short] = &hcl.File{Bytes: b}
			} else if b := readForSnippet(r.Filename); b != nil {
				files[short] = &hcl.File{Bytes: b}
			}
		}
		shown = append(shown, &c)
	}
	width := a.env.TerminalWidth(w)
	if width < 0 {
		width = 0
	}
	color := a.color(w)
	withSnippets := hcl.NewDiagnosticTextWriter(w, files, uint(width), color)
	// HCL's writer scans a file from its start to cut each snippet, so a
	// file with thousands of problems would take quadratic time: past the
	// first snippetsPerFile diagnostics of a file, the rest are written
	// with their file and line only.
	plain := hcl.NewDiagnosticTextWriter(w, nil, uint(width), color)
	perFile := map[string]int{}
	for _, d := range shown {
		tw := withSnippets
		if d.Subject != nil {
			perFile[d.Subject.Filename]++
			if perFile[d.Subject.Filename] > snippetsPerFile {
				tw = plain
			}
		}
		if _, secret := hcl.DiagnosticExtra[inventory.SecretSource](d); secret && d.Subject != nil {
			// The range holds a password: the snippet shows it masked.
			if f, ok := files[d.Subject.Filename]; ok {
				masked := map[string]*hcl.File{d.Subject.Filename: {Bytes: views.MaskRange(f.Bytes, *d.Subject)}}
				tw = hcl.NewDiagnosticTextWriter(w, masked, uint(width), color)
			} else {
				tw = plain
			}
		}
		if err := tw.WriteDiagnostic(d); err != nil {
			return err
		}
	}
	return nil
}

// snippetsPerFile is how many diagnostics of one file show a source
// snippet.
const snippetsPerFile = 50

func relativeRange(r *hcl.Range, wd string) *hcl.Range {
	if r == nil {
		return nil
	}
	c := *r
	c.Filename = relativeName(r.Filename, wd)
	return &c
}

// relativeName returns name relative to wd when it lies below wd. A
// relative name is taken relative to the process's directory (see
// resolvePath).
func relativeName(name, wd string) string {
	if wd == "" || strings.HasPrefix(name, "<") {
		return name
	}
	abs, err := filepath.Abs(name)
	if err != nil {
		return name
	}
	rel, err := filepath.Rel(wd, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return name
	}
	return rel
}

// readForSnippet reads a file a diagnostic points into that no loader
// handed over (an inventory that failed to load), if it is small enough.
func readForSnippet(name string) []byte {
	f, err := os.Open(name)
	if err != nil {
		return nil
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSnippetSource+1))
	if err != nil || len(b) > maxSnippetSource {
		return nil
	}
	return b
}

// countSeverities returns the numbers of errors and warnings.
func countSeverities(diags hcl.Diagnostics) (errs, warnings int) {
	for _, d := range diags {
		switch d.Severity {
		case hcl.DiagError:
			errs++
		case hcl.DiagWarning:
			warnings++
		}
	}
	return errs, warnings
}
