package winrm

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/rectifyhq/rectify/internal/secret"
	"github.com/rs/zerolog"
)

// The authentication schemes a Config may name.
const (
	AuthNTLM     = "ntlm"
	AuthBasic    = "basic"
	AuthKerberos = "kerberos"
	// AuthNegotiate logs on with the credentials of the Windows user
	// rectify runs as, through SSPI's Negotiate (Kerberos, or NTLM where
	// Kerberos cannot be had), as PowerShell remoting does by default. It
	// exists only on Windows.
	AuthNegotiate = "negotiate"
)

// The message encryption settings a Config may name.
const (
	// EncryptionAuto seals messages over HTTP and not over HTTPS, where
	// TLS protects them: what a default Windows server needs.
	EncryptionAuto   = "auto"
	EncryptionAlways = "always"
	EncryptionNever  = "never"
)

// Defaults applied by New to fields left zero.
const (
	DefaultHTTPSPort        = 5986
	DefaultHTTPPort         = 5985
	DefaultTimeout          = 60 * time.Second
	DefaultOperationTimeout = 20 * time.Second
	DefaultMaxEnvelopeSize  = 153600
	DefaultMaxConns         = 4
	DefaultMaxAttempts      = 3
	DefaultDialTimeout      = 10 * time.Second
	DefaultIdleTimeout      = 60 * time.Second
)

// Config says how to reach one Windows host over WinRM.
type Config struct {
	// Host is the inventory name of the host, used in errors and logs.
	Host string
	// Address is what is dialled: an FQDN or an IP address.
	Address string
	// Port defaults to 5986 with HTTPS and 5985 without.
	Port int
	// HTTPS selects TLS. Over HTTP, messages are sealed with the NTLM
	// session (see Encryption), as a Windows server's HTTP listener
	// requires unless its AllowUnencrypted is set.
	HTTPS bool
	// ServerName is the name the certificate must carry; it defaults to
	// Address.
	ServerName string
	// CAPEM holds the PEM certificates of the CAs trusted for this host;
	// RootCAs is used instead when set. With neither, the system roots are.
	CAPEM   []byte
	RootCAs *x509.CertPool
	// InsecureSkipVerify accepts any certificate. New logs a warning.
	InsecureSkipVerify bool
	// Auth is AuthNTLM (the default), AuthKerberos, AuthNegotiate or
	// AuthBasic.
	Auth string
	// Kerberos says where AuthKerberos gets its tickets.
	Kerberos KerberosConfig
	// Encryption says when messages are sealed with the NTLM session
	// (multipart/encrypted, MS-WSMV 2.2.9.1): EncryptionAuto (the
	// default), EncryptionAlways or EncryptionNever. Basic cannot seal.
	Encryption string
	// AllowUnencrypted permits HTTP without message encryption: commands,
	// their output and, with Basic, the password travel readable by
	// anyone on the path. New refuses that combination without it.
	AllowUnencrypted bool
	// Username is "DOMAIN\user", "user@domain" or a local "user".
	Username string
	// Password is never written to errors or logs.
	Password secret.Value
	// Timeout bounds one command from start to end (default 60s).
	Timeout time.Duration
	// OperationTimeout is how long the server holds a Receive before
	// answering that no output is ready yet (default 20s, kept below
	// Timeout).
	OperationTimeout time.Duration
	// MaxEnvelopeSize is the largest SOAP message in bytes (default 153600).
	MaxEnvelopeSize int
	// MaxHeaderBytes bounds the status line and headers of one HTTP answer
	// (default 64 KiB). An answer's body may be at most four times
	// MaxEnvelopeSize.
	MaxHeaderBytes int
	// MaxOutputBytes bounds what one command may print, standard output
	// and standard error together (default 4 MiB); ops.ScriptRun.MaxOutput
	// overrides it for one script run. A command that prints more is
	// terminated and fails.
	MaxOutputBytes int64
	// MaxConns bounds the persistent connections to the host (default 4).
	MaxConns int
	// MaxAttempts bounds how often a retryable failure is tried (default 3).
	MaxAttempts int
	// DialTimeout bounds a TCP connect and TLS handshake (default 10s).
	DialTimeout time.Duration
	// IdleTimeout closes connections unused for that long (default 60s).
	IdleTimeout time.Duration
	// Logger receives debug records of every request; nil logs nothing.
	Logger *zerolog.Logger
	// Dial replaces net.Dialer's DialContext (tests, proxies).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// String describes the configuration without its password.
func (c Config) String() string {
	return fmt.Sprintf("winrm.Config{Host:%q Address:%q Port:%d HTTPS:%v Auth:%q Encryption:%q Username:%q Password:%q}",
		c.Host, c.Address, c.Port, c.HTTPS, c.Auth, c.Encryption, c.Username, c.Password.String())
}

// GoString is String, so that %#v does not print the password either.
func (c Config) GoString() string { return c.String() }

// withDefaults checks c and fills in its defaults.
func (c Config) withDefaults() (Config, error) {
	if c.Address == "" {
		return c, errors.New("no address to dial")
	}
	if c.Host == "" {
		c.Host = c.Address
	}
	if c.Port == 0 {
		c.Port = DefaultHTTPPort
		if c.HTTPS {
			c.Port = DefaultHTTPSPort
		}
	}
	if c.Port < 1 || c.Port > 65535 {
		return c, fmt.Errorf("port %d is out of range", c.Port)
	}
	switch c.Auth {
	case "":
		c.Auth = AuthNTLM
	case AuthNTLM, AuthBasic:
	case AuthKerberos:
		if err := c.Kerberos.check(c.Username, c.Password.Reveal()); err != nil {
			return c, err
		}
	case AuthNegotiate:
		if !sspiAvailable {
			return c, errNoSSPI
		}
		if c.Username != "" || c.Password.Reveal() != "" {
			return c, errors.New(`auth "negotiate" logs on as the Windows user rectify runs as: it takes no username or password`)
		}
	default:
		return c, fmt.Errorf("auth %q is not %q, %q, %q or %q", c.Auth, AuthNTLM, AuthKerberos, AuthNegotiate, AuthBasic)
	}
	if c.Username == "" && c.Auth != AuthNegotiate && (c.Auth != AuthKerberos || c.Kerberos.CCache == "") {
		return c, errors.New("no username")
	}
	switch c.Encryption {
	case "":
		c.Encryption = EncryptionAuto
	case EncryptionAuto, EncryptionAlways, EncryptionNever:
	default:
		return c, fmt.Errorf("encryption %q is not %q, %q or %q", c.Encryption, EncryptionAuto, EncryptionAlways, EncryptionNever)
	}
	switch {
	case c.sealed() && c.Auth == AuthBasic:
		return c, errors.New("basic authentication cannot encrypt messages: use ntlm, or https")
	case !c.HTTPS && !c.sealed() && !c.AllowUnencrypted:
		return c, errors.New("http without message encryption sends commands and their output in clear: use encryption, or https, or allow unencrypted")
	}
	if c.ServerName == "" {
		c.ServerName = c.Address
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.OperationTimeout <= 0 {
		c.OperationTimeout = DefaultOperationTimeout
	}
	if c.OperationTimeout >= c.Timeout {
		c.OperationTimeout = c.Timeout / 2
	}
	if c.OperationTimeout < time.Second {
		c.OperationTimeout = time.Second
	}
	if c.MaxEnvelopeSize <= 0 {
		c.MaxEnvelopeSize = DefaultMaxEnvelopeSize
	}
	if c.MaxEnvelopeSize < 8192 {
		return c, fmt.Errorf("max envelope size %d is below 8192 bytes", c.MaxEnvelopeSize)
	}
	if c.MaxHeaderBytes <= 0 {
		c.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if c.MaxHeaderBytes < 4096 {
		return c, fmt.Errorf("max header bytes %d is below 4096", c.MaxHeaderBytes)
	}
	if c.MaxOutputBytes <= 0 {
		c.MaxOutputBytes = DefaultMaxOutputBytes
	}
	if c.MaxConns <= 0 {
		c.MaxConns = DefaultMaxConns
	}
	if c.MaxConns < 2 {
		// A command polls for output while its input is being sent.
		c.MaxConns = 2
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = DefaultDialTimeout
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	return c, nil
}

// sealed reports whether messages are sealed with the NTLM session.
func (c Config) sealed() bool {
	switch c.Encryption {
	case EncryptionAlways:
		return true
	case EncryptionNever:
		return false
	}
	return !c.HTTPS
}

// tlsConfig builds the TLS client configuration, verifying by default.
func (c Config) tlsConfig() (*tls.Config, error) {
	if !c.HTTPS {
		return nil, nil
	}
	roots := c.RootCAs
	if roots == nil && len(c.CAPEM) > 0 {
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM(c.CAPEM) {
			return nil, errors.New("the CA PEM holds no certificate")
		}
	}
	return &tls.Config{
		ServerName:         c.ServerName,
		RootCAs:            roots,
		InsecureSkipVerify: c.InsecureSkipVerify, //nolint:gosec // only when the inventory says so, with a warning
		MinVersion:         tls.VersionTLS12,
	}, nil
}

// url is the WS-Management endpoint as the SOAP To header names it.
func (c Config) url() string {
	scheme := "http"
	if c.HTTPS {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(c.ServerName, strconv.Itoa(c.Port)) + "/wsman"
}

// operationTimeout renders OperationTimeout as an xs:duration.
func (c Config) operationTimeout() string {
	return fmt.Sprintf("PT%.3fS", c.OperationTimeout.Seconds())
}
