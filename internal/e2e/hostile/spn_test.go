package hostile

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/operation"
	"github.com/rectifyhq/rectify/plans"
)

// spnSnapshot is every account's SPNs, by sAMAccountName.
func spnSnapshot(f *fixture) map[string][]string {
	out := map[string][]string{}
	for _, a := range f.lab.Org().Accounts().WithSPNs() {
		out[a.SAMAccountName] = sorted(a.SPNs)
	}
	return out
}

func planJSON(t *testing.T, f *fixture, args ...string) (plans.Plan, result) {
	t.Helper()
	got := f.rectify(t, append([]string{"plan", "-json"}, args...)...)
	var p plans.Plan
	if err := json.Unmarshal([]byte(got.stdout), &p); err != nil {
		t.Fatalf("plan -json: %v\n%s", err, got)
	}
	return p, got
}

func instance(t *testing.T, p plans.Plan, address string) plans.Instance {
	t.Helper()
	for _, in := range p.Instances {
		if in.Address == address {
			return in
		}
	}
	t.Fatalf("the plan has no %s", address)
	return plans.Instance{}
}

// TestSPNServicesAreMatchedLiterally asks for SPNs whose service classes are
// LDAP filter syntax. Escaped, the forest-wide holder search for
// "*/ex02.corp.example.com" matches nothing; spliced into filter text it
// would match EX02-OLD$ (which holds SMTPSVC/ex02.corp.example.com) and
// every other holder, and the plan would be blocked. The apply adds the
// literal values to each server's own account and to no other.
func TestSPNServicesAreMatchedLiterally(t *testing.T) {
	f := start(t, lab.KB979174())
	f.write(t, "pb/playbook.hcl", playbook("ad.spn", "evil", "exchange", map[string]cty.Value{
		"services": cty.ListVal([]cty.Value{str("*"), str(ldapInjection)}),
	}))
	before := spnSnapshot(f)
	p, got := planJSON(t, f, "-inventory", "inventory.hcl", "-out", "evil.plan", "pb")
	if got.code != 0 {
		t.Fatalf("plan: %s", got)
	}
	for _, host := range []string{"ex01", "ex02"} {
		in := instance(t, p, "step.evil["+host+"]")
		if in.Change.Action != plans.Update {
			t.Errorf("%s: %s, want an update adding the literal SPNs: %+v", in.Address, in.Change.Action, in.Change)
		}
		var observed struct {
			Holders []json.RawMessage `json:"holders"`
		}
		if err := json.Unmarshal(in.Observed, &observed); err != nil || len(observed.Holders) != 0 {
			t.Errorf("%s: the holder search matched %d accounts (%v), want none", in.Address, len(observed.Holders), err)
		}
	}
	apply := f.rectify(t, "apply", "-state", "journal.db", "-auto-approve", "evil.plan")
	if apply.code != 0 {
		t.Fatalf("apply: %s", apply)
	}
	after := spnSnapshot(f)
	want := map[string][]string{}
	for k, v := range before {
		want[k] = v
	}
	want["EX01$"] = sorted(append(slices.Clone(before["EX01$"]), "*/EX01", "*/ex01.corp.example.com", ldapInjection+"/EX01", ldapInjection+"/ex01.corp.example.com"))
	want["EX02$"] = sorted(append(slices.Clone(before["EX02$"]), "*/EX02", "*/ex02.corp.example.com", ldapInjection+"/EX02", ldapInjection+"/ex02.corp.example.com"))
	if diff := cmp.Diff(want, after); diff != "" {
		t.Errorf("SPNs after the apply (-want +got):\n%s", diff)
	}
	run, changes := f.history(t, "journal.db", "1")
	if run.Outcome != operation.Succeeded || len(changes) != 2 {
		t.Errorf("journal: outcome %q, %d changes", run.Outcome, len(changes))
	}
	for _, c := range changes {
		if c.Status != "applied" {
			t.Errorf("journal change %s: %s %s", c.Address, c.Status, c.Error)
		}
	}
	if recs := f.received(); len(recs) != 0 {
		t.Errorf("an LDAP-only step ran commands on hosts: %v", recs)
	}
}

// TestSPNAccountIsMatchedLiterally names the computer account with LDAP
// filter syntax (escaped it matches no account; spliced it would match
// every one) and with a Cyrillic look-alike of EX01$: no account is found,
// the plan is blocked, and nothing is changed or written.
func TestSPNAccountIsMatchedLiterally(t *testing.T) {
	for _, account := range []string{ldapInjection, "\u0415\u042501$"} {
		t.Run(account, func(t *testing.T) {
			f := start(t, lab.KB979174())
			f.write(t, "pb/playbook.hcl", playbook("ad.spn", "evil", "exchange", map[string]cty.Value{
				"account": str(account),
			}))
			before := spnSnapshot(f)
			modifies := f.lab.LDAPStats(f.lab.DCs()[0]).Modifies
			p, got := planJSON(t, f, "-inventory", "inventory.hcl", "-out", "evil.plan", "pb")
			if got.code != 0 {
				t.Fatalf("plan: %s", got)
			}
			for _, host := range []string{"ex01", "ex02"} {
				in := instance(t, p, "step.evil["+host+"]")
				if in.Change.Action != plans.Blocked || !strings.Contains(in.Change.Reason, "no computer account "+account) {
					t.Errorf("%s: %s %q, want blocked: no computer account", in.Address, in.Change.Action, in.Change.Reason)
				}
			}
			apply := f.rectify(t, "apply", "-state", "journal.db", "-auto-approve", "evil.plan")
			if apply.code != 0 || !strings.Contains(apply.stdout, "0 applied, 0 failed") {
				t.Errorf("apply: %s", apply)
			}
			run, changes := f.history(t, "journal.db", "1")
			for _, c := range changes {
				if c.Status == "applied" {
					t.Errorf("journal: %s was applied", c.Address)
				}
			}
			if run.Outcome != operation.Succeeded {
				t.Errorf("journal: outcome %q", run.Outcome)
			}
			if diff := cmp.Diff(before, spnSnapshot(f)); diff != "" {
				t.Errorf("SPNs changed (-before +after):\n%s", diff)
			}
			if m := f.lab.LDAPStats(f.lab.DCs()[0]).Modifies; m != modifies {
				t.Errorf("%d LDAP modifies", m-modifies)
			}
		})
	}
}
