package actiontest

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/ldap"
	"github.com/rectifyhq/rectify/internal/sambatest"
	"github.com/rectifyhq/rectify/internal/secret"
	"github.com/rectifyhq/rectify/internal/winrm"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

// kerberosHarness serves sc with every WinRM logon a Kerberos one: tickets
// from the Samba DC's KDC, for each host's HTTP/<fqdn> SPN, whose keys the
// lab's hosts hold in a keytab samba-tool exported; client as given.
func kerberosHarness(t *testing.T, dc *sambatest.DC, sc lab.Scenario, client winrm.KerberosConfig) *Harness {
	t.Helper()
	var kt *keytab.Keytab
	for _, h := range sc.Hosts {
		k, err := keytab.Load(dc.ServiceAccount(t, "DLG"+strings.ToUpper(h.Name), h.Name+"."+sc.Domain))
		if err != nil {
			t.Fatal(err)
		}
		if kt == nil {
			kt = k
		} else {
			kt.Entries = append(kt.Entries, k.Entries...)
		}
	}
	return StartKerberos(t, sc, Kerberos{
		Keytab: kt, Username: sc.NetBIOS + `\Administrator`, Password: sambatest.AdminPassword, Client: client,
	})
}

// TestExchangeInDelegatedSessions: logged on with Kerberos from a
// credential cache (kinit; no password anywhere in rectify's
// configuration) and delegating the user's TGT, the Exchange steps run
// through the engine with the sessions' delegated credentials: the plan
// says so, nothing is blocked, apply fixes the connector and clears the
// queues, and no op ever receives a credential argument.
func TestExchangeInDelegatedSessions(t *testing.T) {
	dc := sambatest.Shared(t)
	krb5Conf := dc.Krb5Conf(t)
	h := kerberosHarness(t, dc, lab.KB979174().WithFaults(lab.FaultConnector),
		winrm.KerberosConfig{CCache: dc.Kinit(t, krb5Conf), Krb5Conf: krb5Conf, Delegate: true})
	if h.Lab.QueueErrors() == 0 {
		t.Fatal("the scenario starts without the 454 symptom")
	}
	exchange := h.Group("exchange")
	connector := h.Step(t, "exchange.receive_connector_auth", "connector", exchange, nil)
	queues := h.Step(t, "exchange.queue", "queues", exchange, map[string]cty.Value{"wait": str("30s"), "poll": str("1s")})
	queues.DependsOn = []string{"connector"}
	steps := []engine.Step{connector, queues}

	p := h.Plan(t, steps...)
	in := Instance(t, p, "connector", "ex02")
	if in.Change.Action != plans.Update || !strings.Contains(strings.Join(in.Change.Findings, "\n"), "delegated Kerberos credentials") {
		t.Fatalf("connector[ex02]: %s %q %v %s; want an update through the delegated credentials", in.Change.Action, in.Change.Reason, in.Change.Findings, in.Error)
	}
	res := h.Apply(t, p)
	for _, addr := range []string{"step.connector[ex02]", "step.queues[ex01]"} {
		if got := statusOf(res, addr); got.Status != plans.Applied || !got.Converged {
			t.Errorf("%s: %+v, want applied and converged", addr, got)
		}
	}
	if n := h.Lab.QueueErrors(); n != 0 {
		t.Errorf("%d queues still fail after the fix", n)
	}
	for _, in := range h.Plan(t, steps...).Instances {
		if in.Change.Action != plans.NoOp || in.Error != "" {
			t.Errorf("%s after apply: %s %q %s", in.Address, in.Change.Action, in.Change.Reason, in.Error)
		}
	}
	reached := 0
	for _, host := range exchange {
		for _, r := range h.Lab.Received(host) {
			if ops.NeedsCredential(r.Op) {
				reached++
			}
			if strings.Contains(string(r.Args), `"credential"`) {
				t.Errorf("%s received %s with a credential argument in a delegated session", host, r.Op)
			}
		}
	}
	if reached == 0 {
		t.Error("no op reached Exchange's endpoint")
	}
}

// TestSPNOverKerberosLDAP runs ad.spn through the engine against the Samba
// DC with rectify bound by Kerberos from a credential cache over plain
// LDAP, sealed: no LDAP password in the configuration. The SPNs it adds
// are read back from the DC itself.
func TestSPNOverKerberosLDAP(t *testing.T) {
	dc := sambatest.Shared(t)
	krb5Conf := dc.Krb5Conf(t)
	ccache := dc.Kinit(t, krb5Conf)
	dc.AddComputers(t, "SPNKRB")
	h := StartSambaWith(t, dc, []actions.Host{sambaHost("SPNKRB")}, func(c *ldap.Config) {
		c.URL, c.GCURL = dc.LDAPURL(), dc.GCURL()
		c.Auth, c.BindUser, c.Password = ldap.AuthKerberos, "", secret.Value{}
		c.Kerberos = ldap.KerberosConfig{CCache: ccache, Krb5Conf: krb5Conf}
	})
	step := spnStep(t, h, "spnkrb", "report")
	res := h.Apply(t, h.Plan(t, step))
	if res.Count(plans.Applied) != 1 || len(res.NotConverged) != 0 {
		t.Fatalf("apply: %+v", res.Changes)
	}
	if diff := cmp.Diff(wanted("SPNKRB"), spnsOf(t, dc, "SPNKRB")); diff != "" {
		t.Errorf("SPNs on the DC after apply (-want +got):\n%s", diff)
	}
}
