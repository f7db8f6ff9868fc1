package playbooks

import (
	"bytes"
	"sort"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/playbooks/testactions"
)

// testHosts is the inventory the fixtures are evaluated against.
func testHosts() []actions.Host {
	return []actions.Host{
		{Name: "dc01", FQDN: "dc01.corp.example.com", Domain: "corp.example.com", Site: "HQ", Groups: []string{"dc"}},
		{Name: "ex01", FQDN: "ex01.corp.example.com", Domain: "corp.example.com", Site: "HQ", Groups: []string{"exchange"}},
		{Name: "dc02", FQDN: "dc02.corp.example.com", Domain: "corp.example.com", Site: "Branch", Groups: []string{"dc"}},
		{Name: "ex02", FQDN: "ex02.corp.example.com", Domain: "corp.example.com", Site: "Branch", Groups: []string{"exchange"}, Vars: map[string]string{"role": "edge"}},
	}
}

// testGroups are declared groups, one of them without hosts.
var testGroups = []string{"dc", "exchange", "spare"}

// loadAndEvaluate runs both stages, the way the validate command does.
func loadAndEvaluate(t testing.TB, path string, in EvalInput) (*Playbook, *Resolved, hcl.Diagnostics) {
	t.Helper()
	p, diags := LoadDir(path, testactions.Registry())
	r, more := p.Evaluate(in)
	return p, r, append(diags, more...)
}

// render renders diagnostics as the validate command does, without color.
func render(t testing.TB, p *Playbook, r *Resolved, diags hcl.Diagnostics) string {
	t.Helper()
	files := p.SourceFiles()
	if r != nil {
		files = r.SourceFiles()
	}
	var buf bytes.Buffer
	w := hcl.NewDiagnosticTextWriter(&buf, files, 100, false)
	if err := w.WriteDiagnostics(diags); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func sortStrings(s []string) { sort.Strings(s) }
