package inventory

import (
	"crypto/tls"
	"net/url"
	"strconv"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/hashicorp/hcl/v2"
	"github.com/rs/zerolog"

	"github.com/rectifyhq/rectify/internal/secret"
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

// The LDAP bind mechanisms.
const (
	// LDAPAuthSimple is a simple bind with bind_user and password, in TLS.
	LDAPAuthSimple = "simple"
	// LDAPAuthKerberos is a Kerberos bind (SASL GSSAPI) with a ticket for
	// ldap/<dc fqdn>: inside TLS, or over plain ldap:// with every message
	// sealed by the Kerberos context.
	LDAPAuthKerberos = "kerberos"
	// LDAPAuthNegotiate is a Kerberos bind with the credentials of the
	// Windows user rectify runs as (SSPI), inside TLS; Windows only.
	LDAPAuthNegotiate = "negotiate"
)

// LDAPSettings is how to reach a domain's directory.
type LDAPSettings struct {
	// URL is ldaps://host[:port], or ldap://host[:port] with StartTLS, or
	// (Kerberos only) sealed by the Kerberos context.
	URL string `json:"url"`
	// GCURL is the Global Catalog; "" means the URL's host on 3269 (ldaps)
	// or 3268 (ldap with StartTLS).
	GCURL string `json:"gc_url,omitempty"`
	// BaseDN defaults to the domain's naming context (DC=corp,DC=example,DC=com).
	BaseDN string `json:"base_dn"`
	// Auth is LDAPAuthSimple, LDAPAuthKerberos or LDAPAuthNegotiate.
	Auth string `json:"auth"`
	// Kerberos says where auth "kerberos" gets its tickets (Delegate does
	// not apply to LDAP).
	Kerberos KerberosSettings `json:"kerberos"`
	// BindUser is a UPN or DOMAIN\user; "" binds anonymously. With
	// Kerberos it is the principal tickets are asked for.
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
	// BindUserEnv and PasswordEnv name the environment variables the bind
	// user and password are read from with env(), for hints when the
	// directory refuses them; nil when the inventory reads none.
	BindUserEnv []string `json:"-"`
	PasswordEnv []string `json:"-"`
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
		Str("auth", l.Auth).
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
		{Name: "auth"}, {Name: "realm"}, {Name: "kdcs"}, {Name: "krb5_conf"}, {Name: "keytab"},
		{Name: "credential_cache"}, {Name: "spn"},
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
	l := &LDAPSettings{BaseDN: baseDNOf(domain), Auth: LDAPAuthSimple, Timeout: DefaultLDAPTimeout}
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
		l.BindUser, l.BindUserEnv = s, attrEnvNames(a["bind_user"])
	}
	if s, ok := d.secret(a["password"]); ok {
		l.Password, l.PasswordEnv = s, attrEnvNames(a["password"])
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
	authRange := block.DefRange
	if s, ok := d.str(a["auth"]); ok {
		switch s {
		case LDAPAuthSimple, LDAPAuthKerberos, LDAPAuthNegotiate:
			l.Auth, authRange = s, a["auth"].Expr.Range()
		default:
			d.errorf(a["auth"].Expr.Range(), "Invalid auth",
				`auth must be "simple" (bind_user and password), "kerberos" (a ticket for the DC's ldap/ SPN), or "negotiate" (the logged-on Windows user's credentials).`)
		}
	}
	var krb kerberosBlock
	d.kerberos(&krb, a)
	l.Kerberos = krb.settings()
	switch {
	case scheme == "ldaps" && l.StartTLS:
		d.errorf(a["start_tls"].Expr.Range(), "start_tls with ldaps",
			"An ldaps:// connection is TLS from the start; start_tls applies only to ldap:// URLs.")
	case scheme == "ldap" && !l.StartTLS && l.Auth != LDAPAuthKerberos:
		rng := a["url"].Expr.Range()
		if a["start_tls"] != nil {
			rng = a["start_tls"].Expr.Range()
		}
		d.errorf(rng, "LDAP without TLS",
			"A plain ldap:// connection would send the bind password in clear text. Use an ldaps:// URL, set start_tls = true, "+
				"or bind with auth = \"kerberos\", which seals every message of a plain ldap:// connection.")
	}
	d.checkLDAPAuth(l, krb, a, authRange)
	return l
}

// checkLDAPAuth reports an ldap block whose bind cannot work: Kerberos
// without a credential or a principal, the logged-on user's credentials
// where there is no SSPI or with a credential given, Kerberos settings for
// another mechanism.
func (d *decoder) checkLDAPAuth(l *LDAPSettings, krb kerberosBlock, a hcl.Attributes, authRange hcl.Range) {
	switch l.Auth {
	case LDAPAuthKerberos:
		krb.check(d, l.Kerberos, l.BindUser, l.Password, authRange)
		if a["delegate"] != nil {
			d.errorf(a["delegate"].Expr.Range(), "Unsupported argument", "delegate applies to WinRM, not to LDAP.")
		}
	case LDAPAuthNegotiate:
		if !sspiAvailable {
			d.errorf(authRange, "auth \"negotiate\" needs Windows",
				"negotiate binds with the credentials of the Windows user rectify runs as (SSPI), and this rectify does not run on Windows. "+
					"Use auth = \"kerberos\" with credential_cache = env(\"KRB5CCNAME\") after kinit, or a password or keytab.")
		}
		for _, name := range []string{"bind_user", "password"} {
			if a[name] != nil {
				d.errorf(a[name].Expr.Range(), "Credential with negotiate",
					"negotiate binds as the Windows user rectify runs as; remove %s, or use auth = \"simple\" or \"kerberos\".", name)
			}
		}
	}
	if l.Auth != LDAPAuthKerberos {
		for _, name := range []string{"realm", "kdcs", "krb5_conf", "keytab", "credential_cache", "spn"} {
			if a[name] != nil {
				d.errorf(a[name].Expr.Range(), "Kerberos setting without Kerberos",
					"%s says where Kerberos tickets come from; set auth = \"kerberos\", or remove it.", name)
			}
		}
	}
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
