package actiontest

import (
	"context"
	"errors"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	goldap "github.com/go-ldap/ldap/v3"
	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/internal/connect"
	"github.com/rectifyhq/rectify/internal/ldap"
	"github.com/rectifyhq/rectify/internal/sambatest"
	"github.com/rectifyhq/rectify/plans"
)

func TestMain(m *testing.M) { os.Exit(sambatest.Main(m)) }

// sambaHost is an Exchange server of the inventory whose computer account
// is name$ on the Samba DC.
func sambaHost(name string) actions.Host {
	return actions.Host{Name: strings.ToLower(name), FQDN: sambatest.ComputerFQDN(name), Domain: sambatest.DNSName, Groups: []string{"exchange"}}
}

// spnsOf reads an account's SPNs straight from the DC (not through
// rectify's client), sorted without regard to case.
func spnsOf(t *testing.T, dc *sambatest.DC, name string) []string {
	t.Helper()
	res, err := dc.Admin(t).Search(goldap.NewSearchRequest(sambatest.ComputerDN(name), goldap.ScopeBaseObject, goldap.NeverDerefAliases,
		0, 0, false, "(objectClass=*)", []string{"servicePrincipalName"}, nil))
	if err != nil {
		t.Fatalf("read the SPNs of %s: %v", name, err)
	}
	out := res.Entries[0].GetAttributeValues("servicePrincipalName")
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	return out
}

// wanted is the KB's four SPNs of name, as ad.spn writes them.
func wanted(name string) []string {
	fqdn := sambatest.ComputerFQDN(name)
	up := strings.ToUpper(name)
	return []string{"SMTP/" + up, "SMTP/" + fqdn, "SMTPSVC/" + up, "SMTPSVC/" + fqdn}
}

func spnStep(t *testing.T, h *Harness, host, policy string) engine.Step {
	t.Helper()
	return h.Step(t, "ad.spn", "smtp", []string{host}, map[string]cty.Value{"resolve_conflicts": cty.StringVal(policy)})
}

// TestSPNAgainstSamba runs ad.spn through the engine against a real Samba
// AD DC: plan, apply, verification, a second plan, and the undo, with
// each result read back from the DC itself.
func TestSPNAgainstSamba(t *testing.T) {
	dc := sambatest.Shared(t)

	t.Run("add", func(t *testing.T) {
		dc.AddComputers(t, "SPNADD")
		h := StartSamba(t, dc, []actions.Host{sambaHost("SPNADD")})
		step := spnStep(t, h, "spnadd", "report")
		in := Instance(t, h.Plan(t, step), "smtp", "spnadd")
		if diff := cmp.Diff(wanted("SPNADD"), in.Change.Attrs[0].After); diff != "" {
			t.Errorf("planned to add (-want +got):\n%s", diff)
		}
		Check(t, h, Case{Steps: []engine.Step{step}, Subject: "smtp", Host: "spnadd", Want: plans.Update})
		// Check applied the change and undid it: the account is as it was.
		if got := spnsOf(t, dc, "SPNADD"); len(got) != 0 {
			t.Errorf("after the undo SPNADD$ holds %q, want nothing", got)
		}
		res := h.Apply(t, h.Plan(t, step))
		if res.Count(plans.Applied) != 1 || len(res.NotConverged) != 0 {
			t.Fatalf("apply: %+v", res.Changes)
		}
		if diff := cmp.Diff(wanted("SPNADD"), spnsOf(t, dc, "SPNADD")); diff != "" {
			t.Errorf("SPNs on the DC after apply (-want +got):\n%s", diff)
		}
	})

	// Another account holds one of the server's SPNs, spelled in other
	// letters: the DC treats it as the same SPN, and so must the plan.
	t.Run("conflict reported", func(t *testing.T) {
		dc.AddComputers(t, "SPNCON", "SPNCONOLD")
		w := wanted("SPNCON")
		for _, v := range w[:3] {
			dc.AddSPN(t, v, "SPNCON$")
		}
		dc.AddSPN(t, strings.ToLower(w[3][:8])+strings.ToUpper(w[3][8:]), "SPNCONOLD$")
		h := StartSamba(t, dc, []actions.Host{sambaHost("SPNCON")})
		in := Instance(t, h.Plan(t, spnStep(t, h, "spncon", "report")), "smtp", "spncon")
		if in.Error != "" || in.Change.Action != plans.Blocked {
			t.Fatalf("plan: %s %q %s; want blocked by the duplicate", in.Change.Action, in.Change.Findings, in.Error)
		}
		if len(in.Change.Findings) == 0 || !strings.Contains(in.Change.Findings[0], sambatest.ComputerDN("SPNCONOLD")) {
			t.Errorf("findings %q do not name the holder %s", in.Change.Findings, sambatest.ComputerDN("SPNCONOLD"))
		}
	})

	// The SPN is taken by another account after the re-read that precedes
	// the change: the DC refuses the modify (constraint violation 19 with
	// 0000202F), the change fails with that reason, and nothing of it is
	// written.
	t.Run("conflict at the modify", func(t *testing.T) {
		dc.AddComputers(t, "SPNRACE", "SPNRACEOLD")
		h := StartSamba(t, dc, []actions.Host{sambaHost("SPNRACE")})
		step := spnStep(t, h, "spnrace", "report")
		p := h.Plan(t, step)
		if in := Instance(t, p, "smtp", "spnrace"); in.Change.Action != plans.Update {
			t.Fatalf("plan: %s %q %s", in.Change.Action, in.Change.Findings, in.Error)
		}
		taken := wanted("SPNRACE")[3]
		conns := &takeFirst{Connections: h.NewConnections(), take: func() { dc.AddSPN(t, taken, "SPNRACEOLD$") }}
		defer conns.Close()
		res, err := h.Engine.Apply(context.Background(), p, conns, engine.ApplyOptions{Input: h.Input(step)})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Changes) != 1 || res.Changes[0].Status != plans.Failed {
			t.Fatalf("apply: %+v; want one failed change", res.Changes)
		}
		if msg := res.Changes[0].Error; !strings.Contains(msg, string(actions.KindSPNConflict)) || !strings.Contains(msg, "0000202F") {
			t.Errorf("the change failed with %q; want the SPN conflict and the DC's code", msg)
		}
		if conns.err == nil || actions.KindOf(conns.err) != actions.KindSPNConflict {
			t.Fatalf("the modify returned %v; want an error of kind %s", conns.err, actions.KindSPNConflict)
		}
		var refused *ldap.ResultError
		if !errors.As(conns.err, &refused) || refused.Code != goldap.LDAPResultConstraintViolation {
			t.Fatalf("the modify returned %v; want LDAP result 19", conns.err)
		}
		if code, ok := refused.Win32Code(); !ok || code != ldap.ErrorDSAttributeOrValueExists {
			t.Errorf("the refusal carries %08X (%v); want 0000202F", code, ok)
		}
		if got := spnsOf(t, dc, "SPNRACE"); len(got) != 0 {
			t.Errorf("the refused modify left %q on SPNRACE$", got)
		}
		if in := Instance(t, h.Plan(t, spnStep(t, h, "spnrace", "report")), "smtp", "spnrace"); in.Change.Action != plans.Update ||
			!slices.ContainsFunc(in.Change.Findings, func(f string) bool { return strings.Contains(f, "SPNRACEOLD") }) {
			t.Errorf("plan after the refusal: %s %q; want the other three SPNs added and the holder reported", in.Change.Action, in.Change.Findings)
		}
	})

	// remove_from_other takes the SPN from the other account (and nothing
	// else of it), gives the server all four; the undo puts both back.
	t.Run("remove from other and undo", func(t *testing.T) {
		dc.AddComputers(t, "SPNMOVE", "SPNMOVEOLD")
		w := wanted("SPNMOVE")
		dc.AddSPN(t, w[0], "SPNMOVE$")
		dc.AddSPN(t, w[3], "SPNMOVEOLD$")
		dc.AddSPN(t, "HOST/spnmoveold", "SPNMOVEOLD$")
		oldBefore := spnsOf(t, dc, "SPNMOVEOLD")
		h := StartSamba(t, dc, []actions.Host{sambaHost("SPNMOVE")})
		step := spnStep(t, h, "spnmove", "remove_from_other")
		in := Instance(t, h.Plan(t, step), "smtp", "spnmove")
		if in.Change.Action != plans.Update {
			t.Fatalf("plan: %s %q %s", in.Change.Action, in.Change.Findings, in.Error)
		}
		wantAttrs := []plans.Attr{
			{Name: "servicePrincipalName", After: w[1:]},
			{Name: "servicePrincipalName of SPNMOVEOLD$", Before: []string{w[3]}},
		}
		if diff := cmp.Diff(wantAttrs, in.Change.Attrs); diff != "" {
			t.Errorf("planned change (-want +got):\n%s", diff)
		}
		// Apply, verification, no-op, undo, and the same change planned
		// again.
		Check(t, h, Case{Steps: []engine.Step{step}, Subject: "smtp", Host: "spnmove", Want: plans.Update})
		if diff := cmp.Diff([]string{w[0]}, spnsOf(t, dc, "SPNMOVE")); diff != "" {
			t.Errorf("SPNMOVE$ after the undo (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(oldBefore, spnsOf(t, dc, "SPNMOVEOLD")); diff != "" {
			t.Errorf("SPNMOVEOLD$ after the undo (-want +got):\n%s", diff)
		}
		// Applied once more, to see the DC's state after the change.
		res := h.Apply(t, h.Plan(t, step))
		if res.Count(plans.Applied) != 1 || len(res.NotConverged) != 0 {
			t.Fatalf("apply: %+v", res.Changes)
		}
		if diff := cmp.Diff(w, spnsOf(t, dc, "SPNMOVE")); diff != "" {
			t.Errorf("SPNMOVE$ after apply (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"HOST/spnmoveold"}, spnsOf(t, dc, "SPNMOVEOLD")); diff != "" {
			t.Errorf("SPNMOVEOLD$ after apply (-want +got):\n%s", diff)
		}
	})
}

// takeFirst is connections whose directory runs take just before the
// first modify, and keeps what that modify returned.
type takeFirst struct {
	*connect.Connections
	take func()

	once sync.Once
	err  error
}

func (c *takeFirst) Directory(ctx context.Context, domain string) (actions.Directory, error) {
	d, err := c.Connections.Directory(ctx, domain)
	if err != nil {
		return nil, err
	}
	return &takeFirstDirectory{Directory: d, c: c}, nil
}

type takeFirstDirectory struct {
	actions.Directory
	c *takeFirst
}

func (d *takeFirstDirectory) Modify(ctx context.Context, req actions.ModifyRequest) error {
	first := false
	d.c.once.Do(func() { first = true; d.c.take() })
	err := d.Directory.Modify(ctx, req)
	if first {
		d.c.err = err
	}
	return err
}
