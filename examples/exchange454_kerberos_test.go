package examples

import (
	"testing"

	"github.com/jcmturner/gokrb5/v8/keytab"

	"github.com/rectifyhq/rectify/internal/actiontest"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/sambatest"
	"github.com/rectifyhq/rectify/internal/winrm"
)

// TestExchange454WithKerberos walks the KB 979174 story again with every
// WinRM logon a Kerberos one: tickets from Samba's KDC for each host's
// HTTP/<fqdn> SPN, verified by the lab's hosts with the keytab samba-tool
// exported, messages sealed by the Kerberos context, no delegation.
func TestExchange454WithKerberos(t *testing.T) {
	dc := sambatest.Start(t)
	sc := lab.KB979174()
	var kt *keytab.Keytab
	for _, h := range sc.Hosts {
		k, err := keytab.Load(dc.ServiceAccount(t, "W"+h.Name, h.Name+"."+sc.Domain))
		if err != nil {
			t.Fatal(err)
		}
		if kt == nil {
			kt = k
		} else {
			kt.Entries = append(kt.Entries, k.Entries...)
		}
	}
	h := actiontest.StartKerberos(t, sc, actiontest.Kerberos{
		// The lab's directory is its own domain's: the account is named there.
		Keytab: kt, Username: sc.NetBIOS + `\Administrator`, Password: sambatest.AdminPassword,
		Client: winrm.KerberosConfig{Realm: sambatest.Realm, KDCs: []string{dc.KDCAddress()}},
	})
	walkExchange454(t, h)
	for _, host := range h.Lab.Org().Hosts() {
		ep, _ := h.Lab.WinRM(host.Name)
		if c := ep.Counts(); c.SOAP() > 0 && (c.Encrypted != c.SOAP() || c.Unencrypted != 0) {
			t.Errorf("%s: counts %+v: want every message sealed", host.Name, c)
		}
	}
}
