package cli

import (
	"crypto/x509"
	"fmt"

	"github.com/rs/zerolog"

	"github.com/rectifyhq/rectify/internal/connect"
	"github.com/rectifyhq/rectify/internal/ldap"
	"github.com/rectifyhq/rectify/internal/netprobe"
	"github.com/rectifyhq/rectify/internal/winrm"
	"github.com/rectifyhq/rectify/inventory"
)

// hostVisits says how often a run comes to each host, which decides how
// many shells its connections keep open.
type hostVisits int

const (
	// visitsOnce is a plan's: one command a host.
	visitsOnce hostVisits = iota
	// revisits is apply's, undo's and watch's: a read before each change,
	// the change and a verification after, step after step.
	revisits
)

// maxRevisitShells bounds the shells a run that revisits its hosts keeps
// open: an idle shell holds a connection here and a shell process on its
// server until the run ends.
const maxRevisitShells = 1024

// connectionsFor returns the transports of one run over inv: WinRM and
// LDAP settings come from the inventory, secrets are revealed only into
// the clients' configurations. The run reads parallelism hosts at once:
// at least as many shells stay open (and at least the pool's default), so
// that reading them does not close the shells of hosts whose command has
// yet to start (a closed shell opens again, at the cost of a new
// connection and handshake). A run that revisits its hosts keeps a shell
// open for every host of the inventory, up to maxRevisitShells, so that
// it connects to each host once.
func connectionsFor(inv *inventory.Inventory, parallelism int, visits hostVisits, log zerolog.Logger) *connect.Connections {
	keep := max(connect.DefaultMaxShells, parallelism)
	if visits == revisits {
		keep = max(keep, min(len(inv.HostNames()), maxRevisitShells))
	}
	return connect.New(connect.Options{
		MaxShells: keep,
		WinRM: func(host string) (winrm.Config, error) {
			s, ok := inv.WinRM(host)
			if !ok {
				return winrm.Config{}, fmt.Errorf("host %q is not in the inventory", host)
			}
			return winrm.Config{
				Host: host, Address: s.Host, Port: s.Port, HTTPS: s.HTTPS, ServerName: s.ServerName,
				CAPEM: s.CAPEM, InsecureSkipVerify: s.InsecureSkipVerify, Auth: s.Auth,
				Encryption: s.Encryption, AllowUnencrypted: s.AllowUnencrypted,
				Kerberos: winrm.KerberosConfig{Realm: s.Kerberos.Realm, KDCs: s.Kerberos.KDCs, Krb5Conf: s.Kerberos.Krb5Conf,
					Keytab: s.Kerberos.Keytab, CCache: s.Kerberos.CredentialCache, SPN: s.Kerberos.SPN, Delegate: s.Kerberos.Delegate},
				Username: s.Username, Password: s.Password, Timeout: s.Timeout, Logger: &log,
			}, nil
		},
		LDAP: func(domain string) (ldap.Config, error) {
			d, ok := inv.Domain(domain)
			if !ok || d.LDAP == nil {
				return ldap.Config{}, fmt.Errorf("the inventory has no ldap block for domain %q", domain)
			}
			l := d.LDAP
			cfg := ldap.Config{
				URL: l.URL, GCURL: l.GCURL, StartTLS: l.StartTLS, BaseDN: l.BaseDN, BindUser: l.BindUser,
				Password: l.Password, ServerName: l.ServerName,
				InsecureSkipVerify: l.InsecureSkipVerify, Timeout: l.Timeout, Logger: log,
				Auth: l.Auth,
				Kerberos: ldap.KerberosConfig{Realm: l.Kerberos.Realm, KDCs: l.Kerberos.KDCs, Krb5Conf: l.Kerberos.Krb5Conf,
					Keytab: l.Kerberos.Keytab, CCache: l.Kerberos.CredentialCache, SPN: l.Kerberos.SPN},
			}
			if len(l.CAPEM) > 0 {
				pool := x509.NewCertPool()
				if !pool.AppendCertsFromPEM(l.CAPEM) {
					return ldap.Config{}, fmt.Errorf("domain %q: ca_file holds no certificate", domain)
				}
				cfg.RootCAs = pool
			}
			return cfg, nil
		},
		Prober: &netprobe.Prober{},
	})
}
