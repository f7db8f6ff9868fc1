package inventory

import (
	"crypto/tls"
	"net/url"
	"strconv"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/hashicorp/hcl/v2"
	"github.com/rectifyhq/rectify/internal/secret"
	"github.com/rs/zerolog"
)

// DefaultLDAPTimeout bounds one LDAP operation when the inventory sets none.
const DefaultLDAPTimeout = 30 * time.Second

// Domain is an Active Directory domain and how to reach its directory.
type Domain struct {
	// Name is the DNS name, in lower case ("corp.example.com").
	Name string `json:"name"`
	// LDAP is nil when the domain block has no ldap block.
	LDAP *LDAPSettings `json:"ldap,omitempty"`
}

// LDAPSettings is how to reach a domain's directory.
type LDAPSettings struct {
	// URL is ldaps://host[:port], or ldap://host[:port] with StartTLS.
	URL string `json:"url"`
	// GCURL is the Global Catalog; "" means the URL's host on 3269 (ldaps)
	// or 3268 (ldap with StartTLS).
	GCURL string `json:"gc_url,omitempty"`
	// BaseDN defaults to the domain's naming context (DC=corp,DC=example,DC=com).
	BaseDN string `json:"base_dn"`
	// BindUser is a UPN or DOMAIN\user; "" binds anonymously.
	BindUser string       `json:"bind_user,omitempty"`
	Password secret.Value `json:"password"`
	// CAFile is the absolute path of the CA bundle, "" for the system roots.
	CAFile string `json:"ca_file,omitempty"`
	// CAPEM is CAFile's content, read and checked when the inventory loaded.
	CAPEM              []byte        `json:"-"`
	ServerName         string        `json:"server_name,omitempty"`
	StartTLS           bool          `json:"start_tls"`
	InsecureSkipVerify bool          `json:"insecure_skip_verify"`
	Timeout            time.Duration `json:"timeout"`
}

// TLSConfig returns the client TLS configuration for LDAPS or StartTLS. The
// server name defaults to the URL's host.
func (l LDAPSettings) TLSConfig() (*tls.Config, error) {
	name := l.ServerName
	if name == "" {
		if u, err := url.Parse(l.URL); err == nil {
			name = u.Hostname()
		}
	}
	return tlsConfig(l.CAPEM, name, l.InsecureSkipVerify)
}

// MarshalZerologObject logs the settings; the password shows only as set.
func (l LDAPSettings) MarshalZerologObject(e *zerolog.Event) {
	e.Str("url", l.URL).
		Str("gc_url", l.GCURL).
		Str("base_dn", l.BaseDN).
		Str("bind_user", l.BindUser).
		Object("password", l.Password).
		Str("ca_file", l.CAFile).
		Str("server_name", l.ServerName).
		Bool("start_tls", l.StartTLS).
		Bool("insecure_skip_verify", l.InsecureSkipVerify).
		Dur("timeout", l.Timeout)
}

var _ zerolog.LogObjectMarshaler = LDAPSettings{}

var domainSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{{Type: "ldap"}},
}

var ldapSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "url", Required: true}, {Name: "gc_url"}, {Name: "base_dn"}, {Name: "bind_user"},
		{Name: "password"}, {Name: "ca_file"}, {Name: "server_name"},
		{Name: "start_tls"}, {Name: "insecure_skip_verify"}, {Name: "timeout"},
	},
}

// domain decodes a domain block; name is its checked, canonical label.
func (d *decoder) domain(name string, block *hcl.Block) *Domain {
	content, diags := block.Body.Content(domainSchema)
	d.diags = append(d.diags, diags...)
	dom := &Domain{Name: name}
	for i, b := range content.Blocks {
		if i > 0 {
			d.errorf(b.DefRange, "Duplicate ldap block",
				"Domain %q already has an ldap block at %s.", name, content.Blocks[0].DefRange)
			continue
		}
		dom.LDAP = d.ldap(name, b)
	}
	return dom
}

func (d *decoder) ldap(domain string, block *hcl.Block) *LDAPSettings {
	content, diags := block.Body.Content(ldapSchema)
	d.diags = append(d.diags, diags...)
	a := content.Attributes
	l := &LDAPSettings{BaseDN: baseDNOf(domain), Timeout: DefaultLDAPTimeout}
	scheme := ""
	if s, _, ok := d.requiredString(a["url"]); ok {
		// checkLDAPURL never quotes the URL, which may come from env().
		if sc, problem := checkLDAPURL(s); problem != "" {
			d.errorf(a["url"].Expr.Range(), "Invalid LDAP URL", "%s", problem)
		} else {
			l.URL, scheme = s, sc
		}
	}
	if s, ok := d.str(a["gc_url"]); ok {
		if sc, problem := checkLDAPURL(s); problem != "" {
			d.errorf(a["gc_url"].Expr.Range(), "Invalid Global Catalog URL", "%s", problem)
		} else if sc != scheme && scheme != "" {
			d.errorf(a["gc_url"].Expr.Range(), "Global Catalog URL of another scheme",
				"gc_url must use the same scheme as url (%s://), so both are protected the same way.", scheme)
		} else {
			l.GCURL = s
		}
	}
	if s, ok := d.str(a["base_dn"]); ok {
		if _, err := ldap.ParseDN(s); err != nil || s == "" {
			d.errorf(a["base_dn"].Expr.Range(), "Invalid base_dn",
				"base_dn must be a distinguished name such as DC=corp,DC=example,DC=com.")
		} else {
			l.BaseDN = s
		}
	}
	if s, ok := d.str(a["bind_user"]); ok {
		l.BindUser = s
	}
	if s, ok := d.secret(a["password"]); ok {
		l.Password = s
	}
	if p, pemBytes, ok := d.caFile(a["ca_file"]); ok {
		l.CAFile, l.CAPEM = p, pemBytes
	}
	if s, ok := d.str(a["server_name"]); ok {
		l.ServerName = s
	}
	if v, ok := d.boolean(a["start_tls"]); ok {
		l.StartTLS = v
	}
	if v, ok := d.boolean(a["insecure_skip_verify"]); ok {
		l.InsecureSkipVerify = v
		if v {
			d.warnf(a["insecure_skip_verify"].Expr.Range(), "TLS verification disabled",
				"With insecure_skip_verify, any server can pose as the domain controller and receive the bind password. Prefer ca_file.")
		}
	}
	if v, ok := d.duration(a["timeout"]); ok {
		l.Timeout = v
	}
	switch {
	case scheme == "ldaps" && l.StartTLS:
		d.errorf(a["start_tls"].Expr.Range(), "start_tls with ldaps",
			"An ldaps:// connection is TLS from the start; start_tls applies only to ldap:// URLs.")
	case scheme == "ldap" && !l.StartTLS:
		rng := a["url"].Expr.Range()
		if a["start_tls"] != nil {
			rng = a["start_tls"].Expr.Range()
		}
		d.errorf(rng, "LDAP without TLS",
			"A plain ldap:// connection would send the bind password in clear text. Use an ldaps:// URL, or set start_tls = true.")
	}
	return l
}

// checkLDAPURL returns the scheme of an ldap:// or ldaps:// URL with a host
// and nothing else, or a problem in a sentence that does not quote it.
func checkLDAPURL(s string) (scheme, problem string) {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "", "The URL does not parse; write it like ldaps://dc01.corp.example.com:636."
	case u.Scheme != "ldap" && u.Scheme != "ldaps":
		return "", "The URL scheme must be ldaps or ldap (with start_tls)."
	case u.Hostname() == "":
		return "", "The URL must name a directory server, like ldaps://dc01.corp.example.com."
	case u.User != nil:
		return "", "The URL must not carry credentials; set bind_user and password instead."
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "":
		return "", "The URL must name only the server; set base_dn for the search base."
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", "The URL's port must be from 1 to 65535."
		}
	}
	return u.Scheme, ""
}
