package discover

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// The environment variables a written inventory reads its credentials from
// unless Settings name others.
const (
	DefaultWinRMUserEnv     = "RECTIFY_WINRM_USER"
	DefaultWinRMPasswordEnv = "RECTIFY_WINRM_PASSWORD"
	DefaultLDAPPasswordEnv  = "RECTIFY_LDAP_PASSWORD"
)

// Settings are the connection settings a written inventory carries besides
// what was discovered: how rectify reached the directory, and how it will
// reach the hosts over WinRM.
type Settings struct {
	// LDAP is the domain's ldap block: the settings discovery used.
	LDAP LDAP
	// WinRM is the top-level winrm block.
	WinRM WinRM
	// SiteGroups adds every host to a group named after its site
	// ("site-" and the site's SafeName).
	SiteGroups bool
}

// LDAP is how the written inventory reaches the domain's directory.
type LDAP struct {
	URL, GCURL string
	// BindUser is written as it is; "" binds anonymously.
	BindUser string
	// PasswordEnv is the environment variable the password is read from;
	// it is written only with a BindUser.
	PasswordEnv string
	// CAFile is written as given (absolute, or relative to the inventory).
	CAFile     string
	ServerName string
	StartTLS   bool
}

// The WinRM authentications a written inventory can name.
const (
	WinRMAuthNTLM     = "ntlm"
	WinRMAuthKerberos = "kerberos"
)

// WinRM is the top-level winrm block of the written inventory. The zero
// value writes what a Windows server accepts out of the box: HTTP on
// 5985, every message encrypted by the NTLM session.
type WinRM struct {
	// HTTPS writes an HTTPS listener (5986), which needs a certificate on
	// every host; without it, messages are sealed by the logon's session.
	HTTPS bool
	// Port 0 means WinRM's own: 5985, or 5986 with HTTPS.
	Port int
	// Auth is WinRMAuthNTLM ("" too) or WinRMAuthKerberos. Kerberos is
	// written with the domain's realm and its DCs as the KDCs.
	Auth        string
	UserEnv     string
	PasswordEnv string
	// CAFile is written with HTTPS only.
	CAFile string
}

// Write renders r as an inventory file. Every value from the directory is
// written as an HCL string literal through hclwrite, which escapes quotes,
// backslashes, control characters and template sequences, so no name can
// add blocks or attributes; credentials are env() calls.
func Write(r *Result, s Settings) ([]byte, error) {
	if r.Domain == "" {
		return nil, fmt.Errorf("write inventory: no domain")
	}
	f := hclwrite.NewEmptyFile()
	root := f.Body()
	root.AppendUnstructuredTokens(hclwrite.Tokens{{Type: hclsyntax.TokenComment, Bytes: []byte("# Discovered from Active Directory by rectify inventory discover.\n")}})
	root.AppendNewline()

	if err := writeWinRM(root.AppendNewBlock("winrm", nil).Body(), r, s.WinRM); err != nil {
		return nil, err
	}
	root.AppendNewline()

	domains := []string{r.Domain}
	for _, h := range r.Hosts {
		if h.Domain != "" && !slices.Contains(domains, h.Domain) {
			domains = append(domains, h.Domain)
		}
	}
	for i, d := range domains {
		body := root.AppendNewBlock("domain", []string{d}).Body()
		if i == 0 && s.LDAP.URL != "" {
			writeLDAP(body.AppendNewBlock("ldap", nil).Body(), s.LDAP)
		}
		root.AppendNewline()
	}

	for _, h := range r.Hosts {
		hb := root.AppendNewBlock("host", []string{h.Name}).Body()
		hb.SetAttributeValue("fqdn", cty.StringVal(h.FQDN))
		if h.Address != "" {
			hb.SetAttributeValue("address", cty.StringVal(h.Address))
		}
		if h.Domain != "" {
			hb.SetAttributeValue("domain", cty.StringVal(h.Domain))
		}
		if h.Site != "" {
			hb.SetAttributeValue("site", cty.StringVal(h.Site))
		}
		groups := slices.Clone(h.Groups)
		if s.SiteGroups && h.Site != "" {
			groups = append(groups, "site-"+SafeName(h.Site))
		}
		vals := make([]cty.Value, len(groups))
		for i, g := range groups {
			vals[i] = cty.StringVal(g)
		}
		hb.SetAttributeValue("groups", cty.ListVal(vals))
		if h.DirectoryName != "" && !equalFoldASCII(h.DirectoryName, firstLabel(h.FQDN)) {
			hb.SetAttributeValue("vars", cty.MapVal(map[string]cty.Value{"directory_name": cty.StringVal(h.DirectoryName)}))
		}
		root.AppendNewline()
	}
	return f.Bytes(), nil
}

// writeWinRM writes the winrm block: the transport, the authentication
// and where its credentials come from.
func writeWinRM(b *hclwrite.Body, r *Result, w WinRM) error {
	auth := orDefault(w.Auth, WinRMAuthNTLM)
	if auth != WinRMAuthNTLM && auth != WinRMAuthKerberos {
		return fmt.Errorf("write inventory: winrm auth %q is not %q or %q", auth, WinRMAuthNTLM, WinRMAuthKerberos)
	}
	port := w.Port
	if port == 0 {
		port = 5985
		if w.HTTPS {
			port = 5986
		}
	}
	if w.HTTPS {
		comment(b, "HTTPS: every host needs a certificate from a CA that ca_file holds.")
	} else {
		comment(b, "HTTP, every message encrypted by the logon's session: what a Windows server accepts")
		comment(b, "out of the box (AllowUnencrypted = false). Hosts with certificates can use https = true.")
	}
	b.SetAttributeValue("https", cty.BoolVal(w.HTTPS))
	b.SetAttributeValue("port", cty.NumberIntVal(int64(port)))
	if !w.HTTPS {
		b.SetAttributeValue("encryption", cty.StringVal("auto"))
	}
	b.SetAttributeValue("auth", cty.StringVal(auth))
	if auth == WinRMAuthKerberos {
		// The domain's realm and its DCs as the KDCs, so that no
		// krb5.conf is needed.
		var kdcs []cty.Value
		for _, h := range r.DCs() {
			if h.Domain == r.Domain {
				kdcs = append(kdcs, cty.StringVal(h.FQDN))
			}
		}
		if len(kdcs) > 0 {
			b.SetAttributeValue("realm", cty.StringVal(strings.ToUpper(r.Domain)))
			b.SetAttributeValue("kdcs", cty.ListVal(kdcs))
		}
		comment(b, `After kinit, credential_cache = env("KRB5CCNAME") can replace username and password;`)
		comment(b, "Exchange's steps then need delegate = true (each host receives a TGT of the account).")
	}
	b.SetAttributeRaw("username", envCall(orDefault(w.UserEnv, DefaultWinRMUserEnv)))
	b.SetAttributeRaw("password", envCall(orDefault(w.PasswordEnv, DefaultWinRMPasswordEnv)))
	if w.HTTPS && w.CAFile != "" {
		b.SetAttributeValue("ca_file", cty.StringVal(w.CAFile))
	}
	return nil
}

// comment appends a comment line to a body.
func comment(b *hclwrite.Body, text string) {
	b.AppendUnstructuredTokens(hclwrite.Tokens{{Type: hclsyntax.TokenComment, Bytes: []byte("# " + text + "\n")}})
}

func writeLDAP(b *hclwrite.Body, l LDAP) {
	b.SetAttributeValue("url", cty.StringVal(l.URL))
	if l.GCURL != "" {
		b.SetAttributeValue("gc_url", cty.StringVal(l.GCURL))
	}
	if l.StartTLS {
		b.SetAttributeValue("start_tls", cty.True)
	}
	if l.BindUser != "" {
		b.SetAttributeValue("bind_user", cty.StringVal(l.BindUser))
		b.SetAttributeRaw("password", envCall(orDefault(l.PasswordEnv, DefaultLDAPPasswordEnv)))
	}
	if l.CAFile != "" {
		b.SetAttributeValue("ca_file", cty.StringVal(l.CAFile))
	}
	if l.ServerName != "" {
		b.SetAttributeValue("server_name", cty.StringVal(l.ServerName))
	}
}

func envCall(name string) hclwrite.Tokens {
	return hclwrite.TokensForFunctionCall("env", hclwrite.TokensForValue(cty.StringVal(name)))
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func firstLabel(fqdn string) string {
	first, _, _ := strings.Cut(fqdn, ".")
	return first
}

// equalFoldASCII compares case-insensitively in ASCII only, so that a
// look-alike letter from another script never counts as equal.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
