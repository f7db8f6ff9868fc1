package inventory

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/rectifyhq/rectify/internal/lang"
)

// MaxFileSize is the largest inventory file Load reads: room for tens of
// thousands of hosts, small enough that a wrong file fails fast.
const MaxFileSize = 4 << 20

var fileSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "winrm"},
		{Type: "domain", LabelNames: []string{"name"}},
		{Type: "host", LabelNames: []string{"name"}},
		{Type: "group", LabelNames: []string{"name"}},
	},
}

// Load reads and checks the inventory file at path: an HCL inventory, or
// an Ansible inventory in YAML or INI (see detectFormat and ansible.go).
// lookupEnv serves env() and the credentials of an Ansible inventory (nil
// means the process environment). Every problem in the file is
// reported, in one pass; the inventory is nil when any is an error.
// Warnings (a password written in the file) come with a usable inventory.
func Load(path string, lookupEnv func(string) (string, bool)) (*Inventory, hcl.Diagnostics) {
	src, diags := readInventory(path)
	if diags.HasErrors() {
		return nil, diags
	}
	sum := sha256.Sum256(src)
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	if format := detectFormat(path, src); format != formatHCL {
		d := &decoder{dir: filepath.Dir(path)}
		inv := loadAnsible(d, path, src, format, lookupEnv)
		inv.path = path
		inv.digest = "sha256:" + hex.EncodeToString(sum[:])
		diags := inSourceOrder(dedupe(d.diags))
		if diags.HasErrors() {
			return nil, diags
		}
		return inv, diags
	}
	if diags := checkNesting(src, path); diags.HasErrors() {
		return nil, diags
	}
	file, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, diags
	}
	secrets := &secretLog{}
	scope := lang.Scope{BaseDir: filepath.Dir(path), LookupEnv: lookupEnv}
	d := &decoder{
		ctx:   &hcl.EvalContext{Functions: secrets.watch(scope.Functions())},
		dir:   filepath.Dir(path),
		diags: diags,
	}
	inv := d.inventory(file.Body)
	inv.path = path
	inv.digest = "sha256:" + hex.EncodeToString(sum[:])
	diags = secrets.scrub(inSourceOrder(dedupe(d.diags)))
	if diags.HasErrors() {
		return nil, diags
	}
	return inv, diags
}

// readInventory reads at most MaxFileSize bytes of path.
func readInventory(path string) ([]byte, hcl.Diagnostics) {
	fail := func(detail string) ([]byte, hcl.Diagnostics) {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read the inventory",
			Detail:   fmt.Sprintf("%s: %s.", path, detail),
		}}
	}
	f, err := os.Open(path)
	if err != nil {
		return fail(pathless(err).Error())
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fail(pathless(err).Error())
	}
	if st.IsDir() {
		return fail("it is a directory; an inventory is one file (.hcl, or Ansible's .yml or .ini)")
	}
	src, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return fail(pathless(err).Error())
	}
	if len(src) > MaxFileSize {
		return fail(fmt.Sprintf("the file is larger than %d bytes", MaxFileSize))
	}
	return src, nil
}

// inSourceOrder sorts diagnostics by position, those without one first.
func inSourceOrder(diags hcl.Diagnostics) hcl.Diagnostics {
	pos := func(d *hcl.Diagnostic) (int, int) {
		if d.Subject == nil {
			return 0, 0
		}
		return d.Subject.Start.Line, d.Subject.Start.Column
	}
	sort.SliceStable(diags, func(i, j int) bool {
		li, ci := pos(diags[i])
		lj, cj := pos(diags[j])
		return li < lj || li == lj && ci < cj
	})
	return diags
}

// dedupe drops repeated diagnostics: a default shared by many hosts is
// reported once, at the line that sets it.
func dedupe(diags hcl.Diagnostics) hcl.Diagnostics {
	type key struct {
		sev             hcl.DiagnosticSeverity
		summary, detail string
		rng             hcl.Range
	}
	seen := map[key]bool{}
	var out hcl.Diagnostics
	for _, d := range diags {
		k := key{sev: d.Severity, summary: d.Summary, detail: d.Detail}
		if d.Subject != nil {
			k.rng = *d.Subject
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, d)
	}
	return out
}
