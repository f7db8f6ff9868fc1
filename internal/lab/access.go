package lab

import (
	"fmt"
	"strings"

	"github.com/rectifyhq/rectify/internal/lab/directory"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
)

// Scenario returns the scenario the lab was seeded from.
func (l *Lab) Scenario() Scenario { return l.scenario }

// Org returns the organisation's state, for tests and operator actions.
func (l *Lab) Org() *Org { return l.org }

// Host returns a simulated host by name, FQDN or address.
func (l *Lab) Host(name string) (*Host, bool) { return l.org.Host(name) }

// Directory returns the forest every DC's LDAP server serves.
func (l *Lab) Directory() *directory.Directory { return l.dir }

// CAFile is the path of the lab CA's certificate (PEM).
func (l *Lab) CAFile() string { return l.caPath }

// CAPEM returns the lab CA's certificate in PEM form.
func (l *Lab) CAPEM() []byte { return l.ca.PEM() }

// HTTPS reports whether the hosts' WinRM endpoints serve HTTPS; otherwise
// they serve HTTP and take messages encrypted by the NTLM session (and
// plain ones too when AllowUnencrypted reports so).
func (l *Lab) HTTPS() bool { return l.https }

// AllowUnencrypted reports whether HTTP hosts take plain messages.
func (l *Lab) AllowUnencrypted() bool { return l.allowUnencrypted }

// Username and Password are the account every endpoint accepts.
func (l *Lab) Username() string { return l.username }

// Password is the password of the lab's account.
func (l *Lab) Password() string { return l.password }

// Credentials returns the environment variables an inventory written by
// WriteInventory reads, with their values.
func (l *Lab) Credentials() map[string]string {
	return map[string]string{
		EnvWinRMUser:     l.username,
		EnvWinRMPassword: l.password,
		EnvLDAPUser:      l.username,
		EnvLDAPPassword:  l.password,
	}
}

// The environment variables of a lab inventory.
const (
	EnvWinRMUser     = "RECTIFY_WINRM_USER"
	EnvWinRMPassword = "RECTIFY_WINRM_PASSWORD"
	EnvLDAPUser      = "RECTIFY_LDAP_USER"
	EnvLDAPPassword  = "RECTIFY_LDAP_PASSWORD"
)

// WinRM returns a host's WinRM endpoint.
func (l *Lab) WinRM(host string) (*wsman.Host, bool) {
	h, ok := l.org.Host(host)
	if !ok {
		return nil, false
	}
	ep, ok := l.hosts[h.Name]
	return ep, ok
}

// WinRMCounts returns a host's WinRM request counters.
func (l *Lab) WinRMCounts(host string) wsman.Counts {
	if ep, ok := l.WinRM(host); ok {
		return ep.Counts()
	}
	return wsman.Counts{}
}

// SetWinRMFaults sets the transport faults a host's WinRM endpoint shows:
// unreachable, latency, 401, 500, hangs, resets, stalled commands.
func (l *Lab) SetWinRMFaults(host string, f wsman.Faults) error {
	ep, ok := l.WinRM(host)
	if !ok {
		return fmt.Errorf("no host %q in the lab", host)
	}
	return ep.SetFaults(f)
}

// Causes lists what currently stops sender from authenticating to
// receiver (both Exchange servers, by name), in the KB's order.
func (l *Lab) Causes(sender, receiver string) ([]Cause, error) {
	s, ok1 := l.org.Host(sender)
	r, ok2 := l.org.Host(receiver)
	if !ok1 || !ok2 || s.Role != RoleExchange || r.Role != RoleExchange {
		return nil, fmt.Errorf("causes %s -> %s: both must be Exchange servers of the lab", sender, receiver)
	}
	return l.org.Causes(s, r), nil
}

// Received returns every op and native command a host received.
func (l *Lab) Received(host string) []OpRecord { return l.org.Received(host) }

// Unblock lifts a firewall rule: traffic from one host to a port of
// another flows again.
func (l *Lab) Unblock(from, to string, port int, protocol string) error {
	f, ok1 := l.org.Host(from)
	t, ok2 := l.org.Host(to)
	if !ok1 || !ok2 {
		return fmt.Errorf("unblock %s -> %s: unknown host", from, to)
	}
	f.Unblock(t.Name, port, protocol)
	return nil
}

// Block adds a firewall rule dropping traffic from one host to a port of
// another.
func (l *Lab) Block(from, to string, port int, protocol string) error {
	f, ok1 := l.org.Host(from)
	t, ok2 := l.org.Host(to)
	if !ok1 || !ok2 {
		return fmt.Errorf("block %s -> %s: unknown host", from, to)
	}
	f.Block(t.Name, port, protocol)
	return nil
}

// RemoveSPN removes an SPN from an account (by sAMAccountName or name), as
// an administrator would on the PDC emulator: the write then waits for
// replication to reach the other DCs.
func (l *Lab) RemoveSPN(account, spn string) error {
	a, ok := l.org.accounts.Account(account)
	if !ok {
		return fmt.Errorf("no account %q in the directory", account)
	}
	if !hasFold(a.SPNs, spn) {
		return fmt.Errorf("account %s does not hold %s", a.SAMAccountName, spn)
	}
	if err := l.org.accounts.RemoveSPNs(a.DN, spn); err != nil {
		return fmt.Errorf("remove %s from %s: %w", spn, a.SAMAccountName, err)
	}
	l.org.NoteSPNWrite(l.pdc())
	return nil
}

// SPNs returns the SPNs an account holds.
func (l *Lab) SPNs(account string) []string {
	a, _ := l.org.accounts.Account(account)
	return a.SPNs
}

func (l *Lab) pdc() string {
	for _, dc := range l.org.DCs() {
		if dc.PDC {
			return dc.Name
		}
	}
	return ""
}

// Exchange lists the Exchange servers' names; DCs the domain controllers'.
func (l *Lab) Exchange() []string { return l.names(RoleExchange) }

// DCs lists the domain controllers' names, PDC emulator first.
func (l *Lab) DCs() []string {
	var out []string
	for _, h := range l.org.DCs() {
		out = append(out, h.Name)
	}
	return out
}

func (l *Lab) names(role Role) []string {
	var out []string
	for _, h := range l.org.Hosts() {
		if h.Role == role {
			out = append(out, h.Name)
		}
	}
	return out
}

// QueueErrors counts the queues, over every Exchange server, whose last
// error is the 454 failure.
func (l *Lab) QueueErrors() int {
	n := 0
	for _, h := range l.org.Hosts() {
		for _, q := range h.Queues() {
			if strings.Contains(q.LastError, "454 4.7.0") {
				n++
			}
		}
	}
	return n
}

func errNoHost(name string) error { return fmt.Errorf("no host %q in the lab", name) }
