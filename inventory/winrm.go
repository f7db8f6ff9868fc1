package inventory

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/url"
	"strconv"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/rs/zerolog"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/secret"
)

// The WinRM defaults applied when no block sets a value.
const (
	DefaultWinRMHTTPSPort = 5986
	DefaultWinRMHTTPPort  = 5985
	DefaultWinRMAuth      = AuthNTLM
	DefaultWinRMTimeout   = 60 * time.Second
)

// The WinRM authentication schemes.
const (
	AuthNTLM     = "ntlm"
	AuthBasic    = "basic"
	AuthKerberos = "kerberos"
	// AuthNegotiate logs on with the credentials of the Windows user
	// rectify runs as (SSPI's Negotiate: Kerberos, or NTLM where Kerberos
	// cannot be had), as PowerShell remoting does by default. Windows
	// only.
	AuthNegotiate = "negotiate"
)

// The WinRM message encryption settings. Auto encrypts messages with the
// NTLM session over HTTP (what a default Windows server requires) and
// leaves them to TLS over HTTPS.
const (
	EncryptionAuto   = "auto"
	EncryptionAlways = "always"
	EncryptionNever  = "never"
)

// WinRMSettings is how to reach one host over WinRM, with every default and
// override applied.
type WinRMSettings struct {
	// Host is where to connect: the host's address, or its FQDN.
	Host  string `json:"host"`
	Port  int    `json:"port"`
	HTTPS bool   `json:"https"`
	// Auth is AuthNTLM, AuthKerberos or AuthBasic.
	Auth string `json:"auth"`
	// Encryption is EncryptionAuto, EncryptionAlways or EncryptionNever:
	// whether messages are sealed with the NTLM or Kerberos session.
	Encryption string `json:"encryption"`
	// AllowUnencrypted accepts HTTP without message encryption.
	AllowUnencrypted bool `json:"allow_unencrypted"`
	// Kerberos says where auth "kerberos" gets its tickets.
	Kerberos KerberosSettings `json:"kerberos"`
	Username string           `json:"username"`
	Password secret.Value     `json:"password"`
	// CAFile is the absolute path of the CA bundle, "" for the system roots.
	CAFile string `json:"ca_file,omitempty"`
	// CAPEM is CAFile's content, read and checked when the inventory loaded.
	CAPEM []byte `json:"-"`
	// ServerName is the name the certificate must carry; it defaults to the
	// host's FQDN, so that a host reached by address still verifies.
	ServerName         string `json:"server_name,omitempty"`
	InsecureSkipVerify bool   `json:"insecure_skip_verify"`
	// Timeout bounds one WinRM operation.
	Timeout time.Duration `json:"timeout"`
	// UsernameEnv and PasswordEnv name the environment variables the
	// username and password are read from with env(), for hints when the
	// hosts refuse them; nil when the inventory reads none.
	UsernameEnv []string `json:"-"`
	PasswordEnv []string `json:"-"`
}

// Session is what actions may assume of the WinRM session these settings
// open: its authentication mechanism, and whether it carries delegated
// credentials (Kerberos with delegate = true forwards the user's TGT).
func (w WinRMSettings) Session() actions.Session {
	s := actions.Session{Auth: w.Auth}
	if (w.Auth == AuthKerberos || w.Auth == AuthNegotiate) && w.Kerberos.Delegate {
		s.Delegation = true
	}
	return s
}

// KerberosSettings say where Kerberos tickets come from. Paths are
// absolute.
type KerberosSettings struct {
	// Realm is the user's realm; empty means a UPN's suffix or krb5.conf's
	// default realm.
	Realm string `json:"realm,omitempty"`
	// KDCs are the realm's KDCs; empty means Krb5Conf's.
	KDCs []string `json:"kdcs,omitempty"`
	// Krb5Conf is the krb5.conf to read; empty means /etc/krb5.conf when no
	// KDCs are given.
	Krb5Conf string `json:"krb5_conf,omitempty"`
	// Keytab holds the user's keys; CredentialCache names a credential
	// cache (as KRB5CCNAME). With neither, the password is used.
	Keytab          string `json:"keytab,omitempty"`
	CredentialCache string `json:"credential_cache,omitempty"`
	// SPN is the host's WinRM service principal; empty means
	// HTTP/<server name>, what Windows registers for its FQDN.
	SPN string `json:"spn,omitempty"`
	// Delegate forwards the user's TGT to the host (the second hop).
	Delegate bool `json:"delegate,omitempty"`
}

// Sealed reports whether messages are encrypted with the NTLM session.
func (w WinRMSettings) Sealed() bool {
	switch w.Encryption {
	case EncryptionAlways:
		return true
	case EncryptionNever:
		return false
	}
	return !w.HTTPS
}

// Endpoint returns the WS-Management URL, such as
// https://ex01.corp.example.com:5986/wsman.
func (w WinRMSettings) Endpoint() string {
	scheme := "http"
	if w.HTTPS {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: net.JoinHostPort(w.Host, strconv.Itoa(w.Port)), Path: "/wsman"}
	return u.String()
}

// TLSConfig returns the client TLS configuration: the CA bundle as roots
// (the system roots when none is set), the server name, and verification
// unless InsecureSkipVerify is set.
func (w WinRMSettings) TLSConfig() (*tls.Config, error) {
	return tlsConfig(w.CAPEM, w.ServerName, w.InsecureSkipVerify)
}

func tlsConfig(caPEM []byte, serverName string, insecure bool) (*tls.Config, error) {
	cfg := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         serverName,
		InsecureSkipVerify: insecure, //nolint:gosec // only when the inventory asks for it, with a warning
	}
	if len(caPEM) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(caPEM) {
			return nil, errors.New("the CA bundle holds no usable certificate")
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// MarshalZerologObject logs the settings; the password shows only as set.
func (w WinRMSettings) MarshalZerologObject(e *zerolog.Event) {
	e.Str("endpoint", w.Endpoint()).
		Str("auth", w.Auth).
		Str("encryption", w.Encryption).
		Bool("allow_unencrypted", w.AllowUnencrypted).
		Str("username", w.Username).
		Object("password", w.Password).
		Str("ca_file", w.CAFile).
		Str("server_name", w.ServerName).
		Bool("insecure_skip_verify", w.InsecureSkipVerify).
		Dur("timeout", w.Timeout)
}

var _ zerolog.LogObjectMarshaler = WinRMSettings{}

// winrmBlock is one winrm block as written: nil fields were not set.
type winrmBlock struct {
	Port               *int
	HTTPS              *bool
	Auth               *string
	Encryption         *string
	AllowUnencrypted   *bool
	Username           *string
	Password           *secret.Value
	CAFile             *string
	CAPEM              []byte
	ServerName         *string
	InsecureSkipVerify *bool
	Timeout            *time.Duration
	// Where Auth, HTTPS, Encryption, AllowUnencrypted, Username and
	// Password were set, for problems of the merged result.
	AuthRange, HTTPSRange, EncryptionRange, AllowUnencryptedRange hcl.Range
	UsernameRange, PasswordRange                                  hcl.Range
	// UsernameEnv and PasswordEnv name the variables env() reads them from.
	UsernameEnv, PasswordEnv []string
	// krb holds the Kerberos attributes.
	krb kerberosBlock
}

var winrmSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "port"}, {Name: "https"}, {Name: "auth"}, {Name: "username"},
		{Name: "password"}, {Name: "ca_file"}, {Name: "server_name"},
		{Name: "insecure_skip_verify"}, {Name: "timeout"},
		{Name: "encryption"}, {Name: "allow_unencrypted"},
		{Name: "realm"}, {Name: "kdcs"}, {Name: "krb5_conf"}, {Name: "keytab"},
		{Name: "credential_cache"}, {Name: "spn"}, {Name: "delegate"},
	},
}

func ptr[T any](v T) *T { return &v }

// winrm decodes one winrm block.
func (d *decoder) winrm(block *hcl.Block) *winrmBlock {
	content, diags := block.Body.Content(winrmSchema)
	d.diags = append(d.diags, diags...)
	w := &winrmBlock{}
	a := content.Attributes
	if v, ok := d.integer(a["port"], 1, 65535); ok {
		w.Port = ptr(int(v))
	}
	if v, ok := d.boolean(a["https"]); ok {
		w.HTTPS, w.HTTPSRange = &v, a["https"].Expr.Range()
	}
	if s, ok := d.str(a["auth"]); ok {
		if s == AuthNTLM || s == AuthBasic || s == AuthKerberos || s == AuthNegotiate {
			w.Auth, w.AuthRange = &s, a["auth"].Expr.Range()
		} else {
			d.errorf(a["auth"].Expr.Range(), "Invalid auth", `auth must be "ntlm", "kerberos", "negotiate" (the logged-on Windows user) or "basic".`)
		}
	}
	d.kerberos(&w.krb, a)
	if s, ok := d.str(a["encryption"]); ok {
		if s == EncryptionAuto || s == EncryptionAlways || s == EncryptionNever {
			w.Encryption, w.EncryptionRange = &s, a["encryption"].Expr.Range()
		} else {
			d.errorf(a["encryption"].Expr.Range(), "Invalid encryption",
				`encryption must be "auto" (encrypt messages over HTTP, where TLS does not), "always" or "never".`)
		}
	}
	if v, ok := d.boolean(a["allow_unencrypted"]); ok {
		w.AllowUnencrypted, w.AllowUnencryptedRange = &v, a["allow_unencrypted"].Expr.Range()
	}
	if s, ok := d.str(a["username"]); ok {
		w.Username, w.UsernameRange, w.UsernameEnv = &s, a["username"].Expr.Range(), attrEnvNames(a["username"])
	}
	if s, ok := d.secret(a["password"]); ok {
		w.Password, w.PasswordRange, w.PasswordEnv = &s, a["password"].Expr.Range(), attrEnvNames(a["password"])
	}
	if p, pemBytes, ok := d.caFile(a["ca_file"]); ok {
		w.CAFile, w.CAPEM = &p, pemBytes
	}
	if s, ok := d.str(a["server_name"]); ok {
		w.ServerName = &s
	}
	if v, ok := d.boolean(a["insecure_skip_verify"]); ok {
		w.InsecureSkipVerify = &v
		if v {
			d.warnf(a["insecure_skip_verify"].Expr.Range(), "TLS verification disabled",
				"With insecure_skip_verify, any server can pose as the host and receive its credentials. Prefer ca_file.")
		}
	}
	if v, ok := d.duration(a["timeout"]); ok {
		w.Timeout = &v
	}
	return w
}

// over returns w with every field set in o replacing w's.
func (w winrmBlock) over(o *winrmBlock) winrmBlock {
	if o == nil {
		return w
	}
	if o.Port != nil {
		w.Port = o.Port
	}
	if o.HTTPS != nil {
		w.HTTPS, w.HTTPSRange = o.HTTPS, o.HTTPSRange
	}
	if o.Auth != nil {
		w.Auth, w.AuthRange = o.Auth, o.AuthRange
	}
	if o.Encryption != nil {
		w.Encryption, w.EncryptionRange = o.Encryption, o.EncryptionRange
	}
	if o.AllowUnencrypted != nil {
		w.AllowUnencrypted, w.AllowUnencryptedRange = o.AllowUnencrypted, o.AllowUnencryptedRange
	}
	w.krb = w.krb.over(o.krb)
	if o.Username != nil {
		w.Username, w.UsernameRange, w.UsernameEnv = o.Username, o.UsernameRange, o.UsernameEnv
	}
	if o.Password != nil {
		w.Password, w.PasswordRange, w.PasswordEnv = o.Password, o.PasswordRange, o.PasswordEnv
	}
	if o.CAFile != nil {
		w.CAFile, w.CAPEM = o.CAFile, o.CAPEM
	}
	if o.ServerName != nil {
		w.ServerName = o.ServerName
	}
	if o.InsecureSkipVerify != nil {
		w.InsecureSkipVerify = o.InsecureSkipVerify
	}
	if o.Timeout != nil {
		w.Timeout = o.Timeout
	}
	return w
}

// settings applies the defaults for a host with the given FQDN and address.
func (w winrmBlock) settings(fqdn, address string) WinRMSettings {
	s := WinRMSettings{
		Host:       fqdn,
		HTTPS:      true,
		Auth:       DefaultWinRMAuth,
		Encryption: EncryptionAuto,
		Timeout:    DefaultWinRMTimeout,
		CAPEM:      w.CAPEM,
	}
	if address != "" {
		s.Host = address
		s.ServerName = fqdn
	}
	if w.HTTPS != nil {
		s.HTTPS = *w.HTTPS
	}
	s.Port = DefaultWinRMHTTPSPort
	if !s.HTTPS {
		s.Port = DefaultWinRMHTTPPort
	}
	if w.Port != nil {
		s.Port = *w.Port
	}
	if w.Auth != nil {
		s.Auth = *w.Auth
	}
	if w.Encryption != nil {
		s.Encryption = *w.Encryption
	}
	if w.AllowUnencrypted != nil {
		s.AllowUnencrypted = *w.AllowUnencrypted
	}
	s.Kerberos = w.krb.settings()
	if w.Username != nil {
		s.Username, s.UsernameEnv = *w.Username, w.UsernameEnv
	}
	if w.Password != nil {
		s.Password, s.PasswordEnv = *w.Password, w.PasswordEnv
	}
	if w.CAFile != nil {
		s.CAFile = *w.CAFile
	}
	if w.ServerName != nil {
		s.ServerName = *w.ServerName
	}
	if w.InsecureSkipVerify != nil {
		s.InsecureSkipVerify = *w.InsecureSkipVerify
	}
	if w.Timeout != nil {
		s.Timeout = *w.Timeout
	}
	return s
}

// checkSecurity reports transport security the merged settings s of a host
// cannot have: Basic cannot encrypt messages, so it needs HTTPS or a host
// that allows unencrypted traffic; HTTP without message encryption must
// be allowed explicitly, and is then warned about. Each problem points at
// the attribute that decided it (the host's block when the defaults did).
func (w winrmBlock) checkSecurity(d *decoder, s WinRMSettings, host hcl.Range) {
	at := func(ranges ...hcl.Range) hcl.Range {
		for _, r := range ranges {
			if r.Filename != "" {
				return r
			}
		}
		return host
	}
	switch s.Auth {
	case AuthKerberos:
		w.krb.check(d, s.Kerberos, s.Username, s.Password, at(w.AuthRange))
	case AuthNegotiate:
		w.checkNegotiate(d, s, at(w.AuthRange))
	}
	switch {
	case s.Sealed() && s.Auth == AuthBasic:
		d.errorf(at(w.EncryptionRange, w.AuthRange, w.HTTPSRange), "Basic authentication cannot encrypt messages",
			"Over HTTP a Windows server takes only messages encrypted by the NTLM or Kerberos session (AllowUnencrypted = false is its default), "+
				"and Basic has no session to encrypt with. Use auth = \"ntlm\", or https = true; only for a host that allows unencrypted traffic, "+
				"set encryption = \"never\" and allow_unencrypted = true.")
	case !s.HTTPS && !s.Sealed() && !s.AllowUnencrypted:
		d.errorf(at(w.EncryptionRange, w.HTTPSRange, w.AuthRange), "Unencrypted WinRM over HTTP",
			"With encryption = \"never\" over HTTP, commands, their output and, with Basic, the password travel readable by anyone on the path. "+
				"Use encryption = \"auto\" or https = true; to accept it for a host that allows unencrypted traffic, set allow_unencrypted = true.")
	case !s.HTTPS && !s.Sealed():
		d.warnf(at(w.AllowUnencryptedRange, w.EncryptionRange), "Unencrypted WinRM allowed",
			"Commands, their output and, with Basic, the password travel in clear to this host.")
	}
}
