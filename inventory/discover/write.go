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

// WinRM is the top-level winrm block of the written inventory.
type WinRM struct {
	// HTTPS is the default and should stay so; Port 0 means WinRM's own.
	HTTPS       bool
	Port        int
	UserEnv     string
	PasswordEnv string
	CAFile      string
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

	w := root.AppendNewBlock("winrm", nil).Body()
	w.SetAttributeValue("https", cty.BoolVal(s.WinRM.HTTPS))
	port := s.WinRM.Port
	if port == 0 {
		port = 5985
		if s.WinRM.HTTPS {
			port = 5986
		}
	}
	w.SetAttributeValue("port", cty.NumberIntVal(int64(port)))
	w.SetAttributeValue("auth", cty.StringVal("ntlm"))
	w.SetAttributeRaw("username", envCall(orDefault(s.WinRM.UserEnv, DefaultWinRMUserEnv)))
	w.SetAttributeRaw("password", envCall(orDefault(s.WinRM.PasswordEnv, DefaultWinRMPasswordEnv)))
	if s.WinRM.CAFile != "" {
		w.SetAttributeValue("ca_file", cty.StringVal(s.WinRM.CAFile))
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
