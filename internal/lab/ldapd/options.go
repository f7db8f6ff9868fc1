package ldapd

import (
	"crypto/tls"
	"strings"
	"time"
)

// Options configures a Server. Each address is served when set; use
// "127.0.0.1:0" for a free port and read the bound address from Addrs.
type Options struct {
	// Addr is the plain LDAP listener (AD's 389): StartTLS upgrades it.
	Addr string
	// LDAPSAddr is the LDAP over TLS listener (AD's 636).
	LDAPSAddr string
	// GCAddr is the plain Global Catalog listener (AD's 3268).
	GCAddr string
	// GCSAddr is the Global Catalog over TLS listener (AD's 3269).
	GCSAddr string
	// TLSConfig holds the server certificate for LDAPS, GC over TLS and
	// StartTLS. Without it those are refused.
	TLSConfig *tls.Config
	// Users maps a user to its password. A key may be an account name
	// (svc-rectify), DOMAIN\account, account@dns.domain or a DN. A client
	// binds to an account with its UPN, DOMAIN\account or a DN, whichever
	// form the key used; a bare account name is refused as AD and Samba
	// refuse it.
	Users map[string]string
	// ReadOnlyUsers lists bind names (any form) that may read but not
	// write: their writes get insufficientAccessRights (50).
	ReadOnlyUsers []string
	// AllowPlainBind accepts simple binds on unprotected connections, as a
	// DC that does not require LDAP signing does. By default they are
	// refused with strongerAuthRequired (8).
	AllowPlainBind bool
	// ClockOffset returns how far this DC's clock is off; rootDSE
	// currentTime follows it. Nil means no offset.
	ClockOffset func() time.Duration
	// Now is the reference clock, time.Now when nil.
	Now func() time.Time
	// DNSHostName is the DC's name (dc01.corp.example.com); by default dc01
	// under the forest's DNS name.
	DNSHostName string
	// NetBIOSDomain is the domain's NetBIOS name accepted in DOMAIN\user;
	// by default the first label of the forest's DNS name, upper-cased.
	NetBIOSDomain string
	// Site is the DC's site, "Default-First-Site-Name" by default.
	Site string
	// MaxPageSize caps the entries of one page and of an unpaged search, as
	// AD's LDAP policy does; 1000 by default.
	MaxPageSize int
	// MaxMessageSize caps one request; 10 MiB (AD's MaxReceiveBuffer)
	// by default.
	MaxMessageSize int
	// IdleTimeout closes a connection that sends nothing for that long;
	// 15 minutes (AD's MaxConnIdleTime) by default.
	IdleTimeout time.Duration
	// WriteTimeout drops a client that stops reading results for that
	// long; one minute by default.
	WriteTimeout time.Duration
	// RestartDown is how long Restart refuses connections when called
	// with zero; one second by default.
	RestartDown time.Duration
	// OnWrite, when set, is called after each originating write the server
	// applied (add, modify, delete), before the client gets its answer: the
	// write happened on this server, which is what replication starts from.
	OnWrite func(Write)
	// Serving, when set, says whether the directory service runs: while it
	// returns false, new connections are closed at once, as a DC whose
	// directory service is stopped refuses LDAP.
	Serving func() bool
}

// Write is one originating write a server applied.
type Write struct {
	// Op is "add", "modify" or "delete".
	Op string
	// DN is the object written.
	DN string
	// Attributes are the attributes the write set or changed (none for a
	// delete).
	Attributes []string
}

func (o Options) withDefaults(dnsDomain string) Options {
	if o.DNSHostName == "" {
		o.DNSHostName = "dc01." + dnsDomain
	}
	if o.NetBIOSDomain == "" {
		label, _, _ := strings.Cut(dnsDomain, ".")
		o.NetBIOSDomain = strings.ToUpper(label)
	}
	if o.Site == "" {
		o.Site = "Default-First-Site-Name"
	}
	if o.MaxPageSize <= 0 {
		o.MaxPageSize = 1000
	}
	if o.MaxMessageSize <= 0 {
		o.MaxMessageSize = 10 << 20
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 15 * time.Minute
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = time.Minute
	}
	if o.RestartDown <= 0 {
		o.RestartDown = time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ClockOffset == nil {
		o.ClockOffset = func() time.Duration { return 0 }
	}
	return o
}
