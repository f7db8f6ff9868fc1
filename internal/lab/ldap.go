package lab

import (
	"context"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/internal/lab/ldapd"
)

// dcLDAP is one DC's LDAP service: LDAP, LDAPS, GC and GC over TLS.
type dcLDAP struct {
	srv *ldapd.Server
}

// startLDAP serves a DC's LDAP endpoints on its address, on AD's ports or
// the asked ones, falling back to free ports when those cannot be bound.
func (l *Lab) startLDAP(h *Host, ports LDAPPorts) (*dcLDAP, error) {
	conf, err := l.ca.ServerTLSConfig(h.FQDN, h.NetBIOS, h.IP)
	if err != nil {
		return nil, err
	}
	port := func(p, def int) string {
		switch p {
		case 0:
			return strconv.Itoa(def)
		case AnyPort:
			return "0"
		}
		return strconv.Itoa(p)
	}
	addrs := [4]string{port(ports.LDAP, 389), port(ports.LDAPS, 636), port(ports.GC, 3268), port(ports.GCS, 3269)}
	for i, a := range addrs {
		// A port this process may not bind (a privileged one without the
		// right) becomes a free one; the inventory names the LDAPS port.
		if a == "0" {
			continue
		}
		ln, err := net.Listen("tcp", net.JoinHostPort(h.IP, a))
		if err != nil {
			addrs[i] = "0"
			continue
		}
		ln.Close()
	}
	var last error
	for attempt := 0; attempt < 2; attempt++ {
		opts := ldapd.Options{
			Addr:          net.JoinHostPort(h.IP, addrs[0]),
			LDAPSAddr:     net.JoinHostPort(h.IP, addrs[1]),
			GCAddr:        net.JoinHostPort(h.IP, addrs[2]),
			GCSAddr:       net.JoinHostPort(h.IP, addrs[3]),
			TLSConfig:     conf,
			Users:         map[string]string{l.username: l.password},
			ClockOffset:   h.ClockOffset,
			Now:           h.clock,
			DNSHostName:   h.FQDN,
			NetBIOSDomain: l.org.NetBIOS,
			Site:          h.Site,
			OnWrite:       func(w ldapd.Write) { l.ldapWrote(h.Name, w) },
			Serving:       h.directoryRunning,
		}
		srv, err := ldapd.New(l.dir, opts)
		if err != nil {
			return nil, err
		}
		// The lab's lifetime, not Start's context, bounds the server.
		if err := srv.Start(context.Background()); err != nil {
			last = err
			addrs = [4]string{"0", "0", "0", "0"}
			continue
		}
		return &dcLDAP{srv: srv}, nil
	}
	return nil, last
}

func (d *dcLDAP) close() error { return d.srv.Close() }

// ldapsAddr is the LDAPS endpoint, host:port.
func (d *dcLDAP) ldapsAddr() string { return d.srv.Addr(ldapd.LDAPS) }

// ldapWrote records a write a DC's LDAP server applied: a write that
// touches servicePrincipalName (or deletes an object, and the SPNs it
// held) is an SPN write on that DC, which the other DCs receive through
// replication.
func (l *Lab) ldapWrote(dc string, w ldapd.Write) {
	spn := w.Op == "delete"
	for _, a := range w.Attributes {
		if strings.EqualFold(a, "servicePrincipalName") {
			spn = true
		}
	}
	if spn {
		l.org.NoteSPNWrite(dc)
	}
}

// RestartLDAP restarts a DC's LDAP server: every connection drops and new
// ones are refused for down (a second when zero).
func (l *Lab) RestartLDAP(ctx context.Context, dc string, down time.Duration) error {
	h, ok := l.org.Host(dc)
	if !ok {
		return errNoHost(dc)
	}
	d, ok := l.ldap[h.Name]
	if !ok {
		return errNoHost(dc)
	}
	return d.srv.Restart(ctx, down)
}

// SetLDAPLatency delays every LDAP answer of a DC.
func (l *Lab) SetLDAPLatency(dc string, latency time.Duration) error {
	h, ok := l.org.Host(dc)
	if !ok {
		return errNoHost(dc)
	}
	d, ok := l.ldap[h.Name]
	if !ok {
		return errNoHost(dc)
	}
	d.srv.SetLatency(latency)
	return nil
}

// LDAPAddr returns a DC's LDAP endpoint of the given kind (host:port).
func (l *Lab) LDAPAddr(dc string, kind ldapd.Kind) string {
	h, ok := l.org.Host(dc)
	if !ok {
		return ""
	}
	if d, ok := l.ldap[h.Name]; ok {
		return d.srv.Addr(kind)
	}
	return ""
}

// LDAPStats returns a DC's LDAP counters.
func (l *Lab) LDAPStats(dc string) ldapd.Stats {
	h, ok := l.org.Host(dc)
	if !ok {
		return ldapd.Stats{}
	}
	if d, ok := l.ldap[h.Name]; ok {
		return d.srv.Stats()
	}
	return ldapd.Stats{}
}

// SetLDAPAccountLockedOut locks out the lab's account on every domain
// controller, as a domain's lockout policy does after too many wrong
// passwords (the lockout replicates at once), or unlocks it: its binds are
// then refused with result 49 and data 775 whatever the password.
func (l *Lab) SetLDAPAccountLockedOut(locked bool) {
	for _, d := range l.ldap {
		if locked {
			d.srv.LockOut(l.username)
		} else {
			d.srv.Unlock(l.username)
		}
	}
}
