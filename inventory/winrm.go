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
	AuthNTLM  = "ntlm"
	AuthBasic = "basic"
)

// WinRMSettings is how to reach one host over WinRM, with every default and
// override applied.
type WinRMSettings struct {
	// Host is where to connect: the host's address, or its FQDN.
	Host  string `json:"host"`
	Port  int    `json:"port"`
	HTTPS bool   `json:"https"`
	// Auth is AuthNTLM or AuthBasic.
	Auth     string `json:"auth"`
	Username string `json:"username"`
	Password Secret `json:"password"`
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
}

// Session is what actions may assume of the WinRM session these settings
// open: its authentication mechanism, and whether it carries delegated
// credentials. The inventory cannot ask for delegation yet, so Delegation
// stays false: ops that need credentials beyond the session are refused
// in the plan.
func (w WinRMSettings) Session() actions.Session {
	return actions.Session{Auth: w.Auth}
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
	Username           *string
	Password           *Secret
	CAFile             *string
	CAPEM              []byte
	ServerName         *string
	InsecureSkipVerify *bool
	Timeout            *time.Duration
	// AuthRange is where Auth was set, for problems of the merged result.
	AuthRange hcl.Range
}

var winrmSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "port"}, {Name: "https"}, {Name: "auth"}, {Name: "username"},
		{Name: "password"}, {Name: "ca_file"}, {Name: "server_name"},
		{Name: "insecure_skip_verify"}, {Name: "timeout"},
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
		w.HTTPS = &v
	}
	if s, ok := d.str(a["auth"]); ok {
		if s == AuthNTLM || s == AuthBasic {
			w.Auth, w.AuthRange = &s, a["auth"].Expr.Range()
		} else {
			d.errorf(a["auth"].Expr.Range(), "Invalid auth", `auth must be "ntlm" or "basic".`)
		}
	}
	if s, ok := d.str(a["username"]); ok {
		w.Username = &s
	}
	if s, ok := d.secret(a["password"]); ok {
		w.Password = &s
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
		w.HTTPS = o.HTTPS
	}
	if o.Auth != nil {
		w.Auth, w.AuthRange = o.Auth, o.AuthRange
	}
	if o.Username != nil {
		w.Username = o.Username
	}
	if o.Password != nil {
		w.Password = o.Password
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
		Host:    fqdn,
		HTTPS:   true,
		Auth:    DefaultWinRMAuth,
		Timeout: DefaultWinRMTimeout,
		CAPEM:   w.CAPEM,
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
	if w.Username != nil {
		s.Username = *w.Username
	}
	if w.Password != nil {
		s.Password = *w.Password
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
