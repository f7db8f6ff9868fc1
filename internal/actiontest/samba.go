package actiontest

import (
	"fmt"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/actions/builtin"
	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/internal/connect"
	"github.com/rectifyhq/rectify/internal/ldap"
	"github.com/rectifyhq/rectify/internal/sambatest"
	"github.com/rectifyhq/rectify/internal/secret"
	"github.com/rectifyhq/rectify/internal/winrm"
)

// StartSamba returns a harness whose directory is a real Samba AD DC,
// reached through rectify's own LDAP client as an inventory's ldap block
// would configure it: LDAPS to the domain and to the Global Catalog, the
// DC's certificate verified against its CA, bound as Administrator. hosts
// are the inventory's hosts, in the DC's domain. Hosts have no WinRM: the
// harness serves directory-only actions (ad.spn).
func StartSamba(t testing.TB, dc *sambatest.DC, hosts []actions.Host) *Harness {
	t.Helper()
	return StartSambaWith(t, dc, hosts, nil)
}

// StartSambaWith is StartSamba with the LDAP configuration changed by
// edit (another bind, another URL) when edit is not nil.
func StartSambaWith(t testing.TB, dc *sambatest.DC, hosts []actions.Host, edit func(*ldap.Config)) *Harness {
	t.Helper()
	h := &Harness{Registry: builtin.Registry(), hosts: hosts}
	h.Engine = &engine.Engine{Registry: h.Registry, Version: "test"}
	h.connect = func() *connect.Connections {
		return connect.New(connect.Options{
			WinRM: func(host string) (winrm.Config, error) {
				return winrm.Config{}, fmt.Errorf("host %s: the Samba harness has no WinRM endpoints", host)
			},
			LDAP: func(domain string) (ldap.Config, error) {
				if domain != sambatest.DNSName {
					return ldap.Config{}, fmt.Errorf("no domain %q on the Samba DC (%s)", domain, sambatest.DNSName)
				}
				cfg := ldap.Config{
					URL: dc.LDAPSURL(), GCURL: dc.GCSURL(), CAFile: dc.PKI.CAFile, ServerName: sambatest.FQDN,
					BindUser: dc.AdminUPN(), Password: secret.New(dc.AdminPassword()), Timeout: 20 * time.Second,
				}
				if edit != nil {
					edit(&cfg)
				}
				return cfg, nil
			},
		})
	}
	h.Conns = h.NewConnections()
	t.Cleanup(func() { h.Conns.Close() })
	return h
}
