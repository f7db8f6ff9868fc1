package hostile

import (
	"slices"
	"strings"
	"testing"

	"github.com/rectifyhq/rectify/internal/lab"
)

// TestVariablesRefuseHostileValues gives the example playbook's variables
// PowerShell instead of their values: validate, plan and apply refuse them
// naming the variable, before any host is contacted.
func TestVariablesRefuseHostileValues(t *testing.T) {
	f := start(t, lab.KB979174())
	pb := f.writeExample(t)
	f.write(t, "evil.vars", []byte("spn_conflicts = \"report\\r\\n"+strings.ReplaceAll(psInjection, `\`, `\\`)+"\"\n"))
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"duration", []string{"-var", "max_skew=" + psSubexpr}, `Invalid value for "max_skew"`},
		{"duration with NUL", []string{"-var", "max_skew=4m\x00" + psInjection}, `Invalid value for "max_skew"`},
		{"validation", []string{"-var", "spn_conflicts=report" + psInjection}, `spn_conflicts must be "report" or "remove_from_other".`},
		{"validation with backticks", []string{"-var", "spn_conflicts=" + psBackticks}, `spn_conflicts must be "report" or "remove_from_other".`},
		{"var-file", []string{"-var-file", "evil.vars"}, `spn_conflicts must be "report" or "remove_from_other".`},
		{"undeclared", []string{"-var", ldapInjection + "=1"}, "Value for undeclared variable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			state := "journal-" + strings.ReplaceAll(tc.name, " ", "-") + ".db"
			for _, cmd := range [][]string{
				{"validate", "-inventory", "inventory.hcl"},
				{"plan", "-inventory", "inventory.hcl", "-state", state},
				{"apply", "-inventory", "inventory.hcl", "-state", state, "-auto-approve", "-window-override", "hostile test"},
			} {
				got := f.rectify(t, append(append(cmd, tc.args...), pb)...)
				if got.code != 1 || !strings.Contains(got.stderr, tc.want) {
					t.Errorf("%s: want exit 1 naming %q: %s", cmd[0], tc.want, got)
				}
				if strings.ContainsAny(got.stdout+got.stderr, "\x00") {
					t.Errorf("%s printed a raw NUL", cmd[0])
				}
			}
			f.receivedNothing(t)
			if runs := f.runs(t, state); len(runs) != 0 {
				t.Errorf("the journal holds runs: %+v", runs)
			}
		})
	}
}

// TestVariableValueReachesTheLabAsData passes a variable holding
// PowerShell, LDAP syntax, NUL and line breaks into a registry value: the
// lab stores exactly it, received only through registry ops.
func TestVariableValueReachesTheLabAsData(t *testing.T) {
	f := start(t, lab.KB979174())
	f.write(t, "pb/playbook.hcl", []byte(`playbook "hostile" {
  title = "A variable into a registry value"
}

variable "data" {
  type = string
}

step "windows.registry_value" "evil" {
  targets = group.exchange
  path    = "HKLM:\\SOFTWARE\\Rectify"
  name    = var.data
  type    = "string"
  value   = var.data
}
`))
	value := psInjection + "\r\n" + psSubexpr + "\x00" + psBackticks + ldapInjection + cyrillicEx01
	if got := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-var", "data="+value, "-out", "evil.plan", "pb"); got.code != 0 {
		t.Fatalf("plan: %s", got)
	}
	if got := f.rectify(t, "apply", "-state", "journal.db", "-auto-approve", "evil.plan"); got.code != 0 {
		t.Fatalf("apply: %s", got)
	}
	for _, host := range f.lab.Exchange() {
		h, _ := f.lab.Host(host)
		if v, _, ok := h.RegistryValue(`HKLM:\SOFTWARE\Rectify`, value); !ok || v.Data != value {
			t.Errorf("%s: the value is not stored as given: %v %q", host, ok, v.Data)
		}
		if !slices.Contains(f.checkInert(t, value)[host], "registry.set") {
			t.Errorf("%s: the variable did not reach registry.set as data", host)
		}
	}
	_, changes := f.history(t, "journal.db", "1")
	if len(changes) != 2 || changes[0].Status != "applied" || changes[1].Status != "applied" {
		t.Errorf("journal: %+v", changes)
	}
}
