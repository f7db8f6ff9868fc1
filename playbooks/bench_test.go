package playbooks

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/playbooks/testactions"
)

// BenchmarkLoadExchange454 measures both stages over the KB 979174
// fixture against the four-host test inventory.
func BenchmarkLoadExchange454(b *testing.B) {
	reg := testactions.Registry()
	in := EvalInput{Hosts: testHosts(), Groups: testGroups}
	for b.Loop() {
		if _, diags := Load("testdata/valid/exchange-454", reg, in); diags.HasErrors() {
			b.Fatal(diags.Error())
		}
	}
}

// BenchmarkLoadLarge measures a playbook of 100 steps over 1,000 hosts, each
// selecting a tenth of them with a for expression.
func BenchmarkLoadLarge(b *testing.B) {
	var src strings.Builder
	src.WriteString("playbook \"large\" {}\n")
	for i := range 100 {
		fmt.Fprintf(&src, `step "ad.spn" "s%d" {
  targets    = [for h in group.exchange : h if h.site == "site%d"]
  depends_on = [%s]
}
`, i, i%10, map[bool]string{true: "", false: fmt.Sprintf("step.s%d", i-1)}[i == 0])
	}
	path := filepath.Join(b.TempDir(), "large.hcl")
	if err := os.WriteFile(path, []byte(src.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	hosts := make([]actions.Host, 1000)
	for i := range hosts {
		hosts[i] = actions.Host{Name: fmt.Sprintf("ex%04d", i), Site: fmt.Sprintf("site%d", i%10), Groups: []string{"exchange"}}
	}
	reg := testactions.Registry()
	in := EvalInput{Hosts: hosts}
	for b.Loop() {
		r, diags := Load(path, reg, in)
		if diags.HasErrors() {
			b.Fatal(diags.Error())
		}
		if len(r.Steps) != 100 || len(r.Steps[99].Targets) != 100 {
			b.Fatalf("%d steps, %d targets", len(r.Steps), len(r.Steps[99].Targets))
		}
	}
}
