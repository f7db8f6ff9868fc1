package ldap

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	goldap "github.com/go-ldap/ldap/v3"
	"github.com/rs/zerolog"

	"github.com/rectifyhq/rectify/internal/secret"
)

// MaxPageSize is the largest page a Directory asks for: Active Directory's
// default MaxPageSize policy. Larger requests are capped to it.
const MaxPageSize = 1000

// DefaultTimeout bounds one LDAP operation (a dial, a bind, one page of a
// search, a modify) when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// The bind mechanisms a Config may name.
const (
	// AuthSimple is a simple bind with the bind user's password, over TLS.
	AuthSimple = "simple"
	// AuthNTLM is Microsoft's NTLM ("sicily") bind; see Config.Auth.
	AuthNTLM = "ntlm"
	// AuthKerberos is a SASL GSSAPI bind with a Kerberos ticket for the
	// DC's ldap/<fqdn> service (KerberosConfig says where tickets come
	// from), over TLS and bound to the TLS connection.
	AuthKerberos = "kerberos"
	// AuthNegotiate is a SASL GSSAPI bind with the Kerberos credentials of
	// the user rectify runs as on Windows (SSPI), as Windows' own tools
	// bind; elsewhere it is refused.
	AuthNegotiate = "negotiate"
)

// Config says how to reach and bind to one domain.
type Config struct {
	// URL is the domain controller: ldaps://host[:636], or ldap://host[:389]
	// with StartTLS set. Plain LDAP without StartTLS is refused, except
	// with AuthKerberos, whose SASL layer then seals every message (see
	// Auth).
	URL string
	// StartTLS upgrades an ldap:// connection to TLS before binding.
	StartTLS bool
	// BaseDN is the default search base; empty means the rootDSE's
	// defaultNamingContext.
	BaseDN string
	// Auth is the bind mechanism: AuthSimple (the default), AuthNTLM,
	// AuthKerberos or AuthNegotiate.
	//
	// Simple, NTLM and Negotiate binds run inside TLS. go-ldap's NTLM bind
	// signs nothing and sends no channel binding, so DCs that require
	// channel binding refuse it; Samba does not implement the sicily bind
	// at all and hangs up.
	//
	// Kerberos sends the DC a ticket instead of the password, and verifies
	// the DC's answer (mutual authentication). Inside TLS (ldaps://, or
	// StartTLS) it is bound to the TLS connection (channel binding) and asks
	// for no SASL security layer, as Active Directory requires there. Over
	// plain ldap:// it asks for the confidentiality layer: every LDAP
	// message is then signed and sealed by the Kerberos context, as Windows'
	// own tools talk to a DC on port 389, and no certificate is needed.
	Auth string
	// Kerberos says where AuthKerberos gets its tickets and which service
	// principal it asks them for.
	Kerberos KerberosConfig
	// BindUser is a user principal name (admin@corp.example.com) or a
	// down-level logon name (CORP\admin). With AuthKerberos it is the
	// principal tickets are asked for (optional with a credential cache).
	BindUser string
	// Password is the bind password. With AuthKerberos it gets a TGT when
	// there is neither a keytab nor a credential cache.
	Password secret.Value
	// CAFile is a PEM file of the CAs that sign the DCs' certificates.
	CAFile string
	// RootCAs is used instead of CAFile when set.
	RootCAs *x509.CertPool
	// ServerName is the name the certificate must carry; default: URL host.
	ServerName string
	// InsecureSkipVerify accepts any certificate. A warning is logged.
	InsecureSkipVerify bool
	// Timeout bounds one LDAP operation; default DefaultTimeout.
	Timeout time.Duration
	// GCURL is the Global Catalog; default: the URL's host on 3269 for
	// ldaps, 3268 with StartTLS for ldap.
	GCURL string
	// PageSize is the default page size of searches (capped at MaxPageSize).
	PageSize int
	// MaxMessageBytes bounds one LDAP message from the server (an entry,
	// a result); default DefaultMaxMessageBytes.
	MaxMessageBytes int64
	// MaxResponseBytes bounds all the server sends in answer to one
	// request (a bind, a modify, one page of a search); default
	// DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// MaxResultBytes bounds the entries Search returns, over all pages;
	// default DefaultMaxResultBytes. SearchPages hands over one page at a
	// time, each bounded by MaxResponseBytes.
	MaxResultBytes int64
	// MaxEntries bounds the entries of one search over all pages; default
	// DefaultMaxEntries.
	MaxEntries int
	// Logger receives debug lines per request and the insecure warning.
	// The zero value logs nothing.
	Logger zerolog.Logger
}

// endpointConfig is one server to dial: the DC or the Global Catalog.
type endpointConfig struct {
	url      *url.URL
	startTLS bool
	// sealed is a plain ldap:// endpoint whose messages a Kerberos bind's
	// SASL layer seals instead of TLS.
	sealed  bool
	address string // host:port
}

// tls reports whether the endpoint's connection runs in TLS.
func (e endpointConfig) tls() bool { return !e.sealed }

func (c Config) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultTimeout
}

func (c Config) pageSize(asked int) int {
	size := asked
	if size <= 0 {
		size = c.PageSize
	}
	if size <= 0 || size > MaxPageSize {
		size = MaxPageSize
	}
	return size
}

// parseEndpoint checks an LDAP URL and fills in the default port. A plain
// ldap:// URL without StartTLS is accepted only when sealed, for a
// Kerberos bind whose SASL layer seals the messages.
func parseEndpoint(raw string, startTLS, sealed bool, defaultPorts [2]string) (endpointConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return endpointConfig{}, fmt.Errorf("parse url: %w", err)
	}
	if u.Host == "" {
		return endpointConfig{}, fmt.Errorf("url %q has no host", raw)
	}
	if u.User != nil {
		return endpointConfig{}, errors.New("url must not carry credentials")
	}
	var port string
	switch strings.ToLower(u.Scheme) {
	case "ldaps":
		if startTLS {
			return endpointConfig{}, errors.New("start_tls applies to ldap:// urls, not ldaps://")
		}
		port = defaultPorts[1]
		sealed = false
	case "ldap":
		switch {
		case startTLS:
			sealed = false
		case !sealed:
			return endpointConfig{}, fmt.Errorf("url %q is plain LDAP: use ldaps://, enable StartTLS, or bind with Kerberos, which seals plain LDAP", raw)
		}
		port = defaultPorts[0]
	default:
		return endpointConfig{}, fmt.Errorf("url %q: scheme must be ldaps or ldap", raw)
	}
	host := u.Hostname()
	if p := u.Port(); p != "" {
		port = p
	}
	u.Scheme = strings.ToLower(u.Scheme)
	return endpointConfig{url: u, startTLS: startTLS, sealed: sealed, address: net.JoinHostPort(host, port)}, nil
}

// globalCatalog derives the Global Catalog endpoint from the DC's: the
// same protection, on the Global Catalog's port.
func (c Config) globalCatalog(dc endpointConfig) (endpointConfig, error) {
	if c.GCURL != "" {
		plain := strings.HasPrefix(strings.ToLower(c.GCURL), "ldap:")
		return parseEndpoint(c.GCURL, plain && !dc.sealed, plain && dc.sealed, [2]string{"3268", "3269"})
	}
	host := dc.url.Hostname()
	u := *dc.url
	port := "3269"
	if dc.startTLS || dc.sealed {
		port = "3268"
	}
	u.Host = net.JoinHostPort(host, port)
	return endpointConfig{url: &u, startTLS: dc.startTLS, sealed: dc.sealed, address: u.Host}, nil
}

// tlsConfig builds the verified TLS configuration of the domain. An empty
// ServerName is filled in per endpoint with the URL's host.
func (c Config) tlsConfig() (*tls.Config, error) {
	conf := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.ServerName}
	switch {
	case c.RootCAs != nil:
		conf.RootCAs = c.RootCAs
	case c.CAFile != "":
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s holds no PEM certificate", c.CAFile)
		}
		conf.RootCAs = pool
	}
	conf.InsecureSkipVerify = c.InsecureSkipVerify
	return conf, nil
}

// validate checks what New needs before any network traffic.
func (c Config) validate() error {
	var errs []error
	switch c.Auth {
	case "", AuthSimple, AuthNTLM:
		if c.BindUser == "" {
			errs = append(errs, errors.New("bind user is required"))
		}
		if c.Password.Reveal() == "" {
			errs = append(errs, errors.New("password is required (an empty password would be an unauthenticated bind)"))
		}
	case AuthKerberos:
		if err := c.Kerberos.source(c.BindUser, c.Password).Check(); err != nil {
			errs = append(errs, err)
		}
	case AuthNegotiate:
		if !sspiAvailable {
			errs = append(errs, errNoSSPI)
		}
		if c.BindUser != "" || c.Password.Reveal() != "" {
			errs = append(errs, errors.New("auth negotiate binds as the user rectify runs as: it takes no bind user or password"))
		}
	default:
		errs = append(errs, fmt.Errorf("auth %q is not %q, %q, %q or %q", c.Auth, AuthSimple, AuthNTLM, AuthKerberos, AuthNegotiate))
	}
	if c.BaseDN != "" {
		if _, err := goldap.ParseDN(c.BaseDN); err != nil {
			errs = append(errs, fmt.Errorf("base dn: %w", err))
		}
	}
	return errors.Join(errs...)
}
