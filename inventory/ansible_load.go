package inventory

import (
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/rectifyhq/rectify/internal/secret"
)

// The environment variables an Ansible inventory's credentials come from
// unless rectify_winrm_user, ansible_user, rectify_ldap_bind_user or the
// *_password_env variables say otherwise.
const (
	EnvWinRMUser     = "RECTIFY_WINRM_USER"
	EnvWinRMPassword = "RECTIFY_WINRM_PASSWORD"
	EnvLDAPUser      = "RECTIFY_LDAP_USER"
	EnvLDAPPassword  = "RECTIFY_LDAP_PASSWORD"
)

// passwordVars are the Ansible variables that hold a password in the
// file; rectify never reads them.
var passwordVars = []string{"ansible_password", "ansible_winrm_password", "ansible_ssh_pass", "ansible_become_password", "ansible_become_pass", "ansible_psrp_password"}

// loadAnsible builds an inventory from an Ansible YAML or INI file.
func loadAnsible(d *decoder, path string, src []byte, format inventoryFormat, lookupEnv func(string) (string, bool)) *Inventory {
	var doc *ansibleDoc
	if format == formatAnsibleYAML {
		doc = parseAnsibleYAML(d, path, src)
	} else {
		doc = parseAnsibleINI(d, path, src)
	}
	inv := &Inventory{byName: map[string]*host{}}
	if doc == nil {
		return inv
	}
	for _, name := range doc.groupOrder {
		if name == groupAll || name == groupUngrouped {
			continue
		}
		if !hclsyntax.ValidIdentifier(name) {
			d.errorf(doc.groups[name].rng, "Invalid group name",
				"%q cannot be referred to as group.<name>: a name starts with a letter and holds letters, digits, underscores and hyphens.", name)
		}
	}
	hosts := doc.resolve(d)
	a := ansibleMapper{d: d, lookupEnv: lookupEnv, domains: map[string]*ansibleDomain{}}
	byName := map[string]*ansibleHost{}
	var decls []*hostDecl
	var settings []winrmBlock
	for _, h := range hosts {
		decl, w, ok := a.host(h)
		if decl == nil {
			continue
		}
		if prev, dup := byName[decl.name]; dup {
			rng := h.rng
			if v, ok := h.vars["rectify_name"]; ok {
				rng = v.rng
			}
			d.errorf(rng, "Duplicate host", "Host %q is also the name of %q, declared at %s; set rectify_name on one of them.", decl.name, prev.inventoryName, prev.rng)
			continue
		}
		byName[decl.name] = h
		if ok {
			decls = append(decls, decl)
			settings = append(settings, w)
		}
	}
	for _, dom := range a.domainOrder {
		inv.domains = append(inv.domains, a.domains[dom].domain)
	}
	for _, name := range doc.groupOrder {
		if name == groupAll || name == groupUngrouped || !hclsyntax.ValidIdentifier(name) {
			continue
		}
		for _, decl := range decls {
			if slices.Contains(decl.groups, name) {
				inv.groups = append(inv.groups, name)
				break
			}
		}
	}
	for i, decl := range decls {
		inv.addHost(d, decl, nil, settings[i])
	}
	return inv
}

// ansibleDomain is a domain the hosts name, with its LDAP settings and
// the variable that set them first.
type ansibleDomain struct {
	domain *Domain
	key    string
	rng    hcl.Range
}

// ansibleMapper turns resolved Ansible hosts into rectify's.
type ansibleMapper struct {
	d           *decoder
	lookupEnv   func(string) (string, bool)
	domains     map[string]*ansibleDomain
	domainOrder []string
}

// str returns a variable that must be a plain value, reporting one that
// is a template, a vault value, a list or a mapping.
func (a *ansibleMapper) str(vars map[string]ansibleVar, name string) (string, hcl.Range, bool) {
	v, ok := vars[name]
	if !ok {
		return "", hcl.Range{}, false
	}
	switch v.kind {
	case varTemplate:
		a.d.errorf(v.rng, "Template not evaluated", "%s is a Jinja template; rectify does not evaluate templates: give the value itself.", name)
		return "", v.rng, false
	case varVault:
		a.d.errorf(v.rng, "Encrypted value", "%s is encrypted with Ansible Vault, which rectify does not read: give the value itself, or a rectify_* variable.", name)
		return "", v.rng, false
	case varComplex:
		a.d.errorf(v.rng, "Invalid value", "%s must be a single value, not a list or a mapping.", name)
		return "", v.rng, false
	}
	return v.value, v.rng, true
}

// host maps one Ansible host. It returns nil for a host that is left out
// (another connection than WinRM), and ok false for one with errors.
func (a *ansibleMapper) host(h *ansibleHost) (*hostDecl, winrmBlock, bool) {
	d, vars := a.d, h.vars
	before := len(d.diags)
	for _, p := range passwordVars {
		if v, ok := vars[p]; ok {
			d.warnf(v.rng, "Password in the inventory ignored",
				"rectify never reads a password from an inventory file: %s is ignored. The WinRM password comes from the environment variable %s (or the one rectify_winrm_password_env names).",
				p, EnvWinRMPassword)
			d.diags[len(d.diags)-1].Extra = secretSource{}
		}
	}
	if conn, rng, ok := a.str(vars, "ansible_connection"); ok && conn != "winrm" && conn != "psrp" {
		d.warnf(rng, "Host left out", "Host %q uses ansible_connection %q; rectify reaches Windows hosts over WinRM (winrm or psrp), so it is left out.", h.inventoryName, conn)
		return nil, winrmBlock{}, false
	}

	decl := &hostDecl{rng: h.rng}
	// The host's name in playbooks: rectify_name, else the inventory name
	// or, for a DNS name, its first label.
	name := h.inventoryName
	if n, _, ok := a.str(vars, "rectify_name"); ok {
		name = n
	} else if ValidFQDN(name) {
		name = strings.ToLower(strings.SplitN(name, ".", 2)[0])
	}
	if !hclsyntax.ValidIdentifier(name) {
		d.errorf(h.rng, "Invalid host name",
			"%q cannot be referred to as host.<name> in a playbook; set rectify_name to a name of letters, digits, underscores and hyphens.", name)
	}
	decl.name = name
	for _, g := range h.groups {
		if hclsyntax.ValidIdentifier(g) {
			decl.groups = append(decl.groups, g)
		}
	}

	// Where it is: rectify_fqdn, else the inventory name or ansible_host
	// when it is a DNS name, else the name in rectify_domain.
	address, addrRng, hasAddress := a.str(vars, "ansible_host")
	domain, domainRng, hasDomain := a.str(vars, "rectify_domain")
	if hasDomain {
		domain = canonicalDomain(domain)
		if !validDNSName(domain, 2) {
			d.errorf(domainRng, "Invalid domain name", "%q is not a DNS domain name such as corp.example.com.", domain)
			hasDomain = false
		}
	}
	fqdn, fqdnRng, hasFQDN := a.str(vars, "rectify_fqdn")
	switch {
	case hasFQDN:
	case ValidFQDN(h.inventoryName):
		fqdn, fqdnRng = h.inventoryName, h.rng
	case hasAddress && ValidFQDN(address):
		fqdn, fqdnRng = address, addrRng
	case hasDomain:
		fqdn, fqdnRng = h.inventoryName+"."+domain, h.rng
	default:
		d.errorf(h.rng, "No fqdn", "Cannot tell the fully qualified name of host %q: name it by its DNS name, or set rectify_fqdn or rectify_domain.", h.inventoryName)
	}
	if fqdn != "" {
		if ValidFQDN(fqdn) {
			decl.fqdn, decl.fqdnRng = strings.ToLower(fqdn), fqdnRng
		} else {
			d.errorf(fqdnRng, "Invalid fqdn", "%q is not a fully qualified DNS name such as ex01.corp.example.com.", fqdn)
		}
	}
	if hasAddress && !strings.EqualFold(address, decl.fqdn) {
		if _, err := netip.ParseAddr(address); err == nil || validDNSName(address, 1) {
			decl.address = address
		} else {
			d.errorf(addrRng, "Invalid address", "ansible_host %q is neither an IP address nor a host name.", address)
		}
	}
	if site, _, ok := a.str(vars, "rectify_site"); ok {
		decl.site = site
	}
	if hasDomain {
		decl.domain = domain
		a.domain(domain, domainRng, vars)
	}
	decl.vars = hostVars(vars)
	w := a.winrm(h, decl)
	return decl, w, !d.diags[before:].HasErrors()
}

// hostVars are the host's variables that are neither Ansible's nor
// rectify's, as strings: a playbook reads them as host.<name>.vars.
func hostVars(vars map[string]ansibleVar) map[string]string {
	out := map[string]string{}
	for k, v := range vars {
		if strings.HasPrefix(k, "ansible_") || strings.HasPrefix(k, "rectify_") || v.kind != varScalar {
			continue
		}
		out[k] = v.value
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// winrm maps the connection variables of Ansible's winrm (and psrp)
// connection to the host's WinRM settings.
func (a *ansibleMapper) winrm(h *ansibleHost, decl *hostDecl) winrmBlock {
	d, vars := a.d, h.vars
	var w winrmBlock
	first := func(names ...string) (string, hcl.Range, bool) {
		for _, n := range names {
			if s, r, ok := a.str(vars, n); ok {
				return s, r, true
			}
		}
		return "", hcl.Range{}, false
	}
	if s, rng, ok := first("ansible_port", "ansible_winrm_port"); ok {
		if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= 65535 {
			w.Port = ptr(n)
		} else {
			d.errorf(rng, "Invalid port", "%q is not a port from 1 to 65535.", s)
		}
	}
	if s, rng, ok := first("ansible_winrm_scheme", "ansible_psrp_protocol"); ok {
		switch strings.ToLower(s) {
		case "https":
			w.HTTPS = ptr(true)
		case "http":
			w.HTTPS = ptr(false)
		default:
			d.errorf(rng, "Invalid scheme", "The WinRM scheme is https or http, not %q.", s)
		}
	} else if w.Port != nil && *w.Port == DefaultWinRMHTTPPort {
		// As Ansible: http on 5985 unless the scheme says otherwise.
		w.HTTPS = ptr(false)
	}
	if s, rng, ok := first("rectify_winrm_transport", "ansible_winrm_transport", "ansible_psrp_auth"); ok {
		var auth string
		for _, t := range strings.FieldsFunc(strings.Trim(s, "[]"), func(r rune) bool { return r == ',' || r == ' ' }) {
			t = strings.ToLower(strings.Trim(t, `'"`))
			if t == AuthNTLM || t == AuthBasic {
				auth = t
				break
			}
			if t == "negotiate" {
				auth = AuthNTLM
				break
			}
		}
		if auth == "" {
			d.errorf(rng, "Unsupported WinRM transport",
				"rectify authenticates to WinRM with ntlm or basic, not %q; set rectify_winrm_transport to ntlm (the account's password comes from %s).", s, EnvWinRMPassword)
		} else {
			w.Auth, w.AuthRange = ptr(auth), rng
		}
	}
	user, _, hasUser := first("rectify_winrm_user", "ansible_user", "ansible_winrm_user", "ansible_psrp_user")
	if !hasUser {
		user, hasUser = a.lookupEnv(EnvWinRMUser)
		if hasUser {
			w.UsernameEnv = []string{EnvWinRMUser}
		}
	}
	if hasUser {
		w.Username = ptr(user)
	}
	passEnv := EnvWinRMPassword
	if s, _, ok := a.str(vars, "rectify_winrm_password_env"); ok {
		passEnv = s
	}
	if p, ok := a.lookupEnv(passEnv); ok {
		w.Password, w.PasswordEnv = ptr(secret.New(p)), []string{passEnv}
	}
	if s, rng, ok := first("rectify_winrm_ca_file", "ansible_winrm_ca_trust_path", "ansible_psrp_ca_path"); ok {
		if p, pemBytes, ok := a.caFile(s, rng); ok {
			w.CAFile, w.CAPEM = &p, pemBytes
		}
	}
	if s, rng, ok := first("ansible_winrm_server_cert_validation", "ansible_psrp_cert_validation"); ok {
		switch strings.ToLower(s) {
		case "ignore", "false", "no":
			w.InsecureSkipVerify = ptr(true)
			d.warnf(rng, "TLS verification disabled",
				"With certificate validation off, any server can pose as the host and receive its credentials. Prefer ansible_winrm_ca_trust_path.")
		case "validate", "true", "yes":
			w.InsecureSkipVerify = ptr(false)
		default:
			d.errorf(rng, "Invalid certificate validation", "%q is neither validate nor ignore.", s)
		}
	}
	if s, _, ok := a.str(vars, "rectify_winrm_server_name"); ok {
		w.ServerName = ptr(s)
	}
	if s, rng, ok := first("rectify_winrm_timeout", "ansible_winrm_read_timeout_sec", "ansible_psrp_read_timeout"); ok {
		if dur, ok := ansibleDuration(s); ok {
			w.Timeout = &dur
		} else {
			d.errorf(rng, "Invalid timeout", "%q is neither a number of seconds nor a duration such as 90s.", s)
		}
	}
	return w
}

// ansibleDuration reads a number of seconds (Ansible's way) or a Go
// duration.
func ansibleDuration(s string) (time.Duration, bool) {
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return time.Duration(n) * time.Second, true
	}
	if dur, err := time.ParseDuration(s); err == nil && dur > 0 {
		return dur, true
	}
	return 0, false
}

// caFile reads a CA bundle named in a variable, relative to the
// inventory's directory.
func (a *ansibleMapper) caFile(p string, rng hcl.Range) (string, []byte, bool) {
	if p == "" {
		a.d.errorf(rng, "Invalid CA file", "The CA file must name a file of PEM certificates.")
		return "", nil, false
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(a.d.dir, p)
	}
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	pemBytes, err := readCAFile(p)
	if err != nil {
		a.d.errorf(rng, "Unusable CA file", "Cannot use %q: %v.", p, err)
		return "", nil, false
	}
	return p, pemBytes, true
}

// ldapVars are the variables of a domain's directory settings.
var ldapVars = []string{"rectify_ldap_url", "rectify_ldap_gc_url", "rectify_ldap_base_dn", "rectify_ldap_bind_user",
	"rectify_ldap_password_env", "rectify_ldap_ca_file", "rectify_ldap_server_name", "rectify_ldap_start_tls",
	"rectify_ldap_insecure_skip_verify", "rectify_ldap_timeout"}

// domain records the domain a host names, with the LDAP settings its
// variables give; every host of a domain must give the same ones.
func (a *ansibleMapper) domain(name string, rng hcl.Range, vars map[string]ansibleVar) {
	var key []string
	for _, v := range ldapVars {
		if s, _, ok := a.str(vars, v); ok {
			key = append(key, v+"="+s)
		}
	}
	k := strings.Join(key, "\n")
	if prev, ok := a.domains[name]; ok {
		if prev.key != k {
			a.d.errorf(rng, "Conflicting domain settings",
				"The hosts of domain %q must share one directory, but this host's rectify_ldap_* variables differ from those of the host at %s.", name, prev.rng)
		}
		return
	}
	dom := &Domain{Name: name}
	// An empty rectify_ldap_url says the domain has no directory settings
	// (another domain of the forest, beside one that has).
	if url, _, ok := a.str(vars, "rectify_ldap_url"); ok && url != "" {
		dom.LDAP = a.ldap(name, vars)
	}
	a.domains[name] = &ansibleDomain{domain: dom, key: k, rng: rng}
	a.domainOrder = append(a.domainOrder, name)
}

// ldap maps the rectify_ldap_* variables, as an HCL ldap block would
// give them.
func (a *ansibleMapper) ldap(domain string, vars map[string]ansibleVar) *LDAPSettings {
	d := a.d
	l := &LDAPSettings{BaseDN: baseDNOf(domain), Auth: LDAPAuthSimple, Timeout: DefaultLDAPTimeout}
	url, urlRng, _ := a.str(vars, "rectify_ldap_url")
	scheme, problem := checkLDAPURL(url)
	if problem != "" {
		d.errorf(urlRng, "Invalid LDAP URL", "%s", problem)
	} else {
		l.URL = url
	}
	if s, rng, ok := a.str(vars, "rectify_ldap_gc_url"); ok {
		if sc, problem := checkLDAPURL(s); problem != "" {
			d.errorf(rng, "Invalid Global Catalog URL", "%s", problem)
		} else if sc != scheme && scheme != "" {
			d.errorf(rng, "Global Catalog URL of another scheme", "rectify_ldap_gc_url must use the same scheme as rectify_ldap_url (%s://).", scheme)
		} else {
			l.GCURL = s
		}
	}
	if s, _, ok := a.str(vars, "rectify_ldap_base_dn"); ok {
		l.BaseDN = s
	}
	user, _, hasUser := a.str(vars, "rectify_ldap_bind_user")
	if !hasUser {
		user, hasUser = a.lookupEnv(EnvLDAPUser)
		if hasUser {
			l.BindUserEnv = []string{EnvLDAPUser}
		}
	}
	if hasUser {
		l.BindUser = user
	}
	passEnv := EnvLDAPPassword
	if s, _, ok := a.str(vars, "rectify_ldap_password_env"); ok {
		passEnv = s
	}
	if p, ok := a.lookupEnv(passEnv); ok {
		l.Password, l.PasswordEnv = secret.New(p), []string{passEnv}
	}
	if s, rng, ok := a.str(vars, "rectify_ldap_ca_file"); ok {
		if p, pemBytes, ok := a.caFile(s, rng); ok {
			l.CAFile, l.CAPEM = p, pemBytes
		}
	}
	if s, _, ok := a.str(vars, "rectify_ldap_server_name"); ok {
		l.ServerName = s
	}
	startTLSRng := urlRng
	if s, rng, ok := a.str(vars, "rectify_ldap_start_tls"); ok {
		l.StartTLS, startTLSRng = ansibleBool(s), rng
	}
	if s, rng, ok := a.str(vars, "rectify_ldap_insecure_skip_verify"); ok && ansibleBool(s) {
		l.InsecureSkipVerify = true
		d.warnf(rng, "TLS verification disabled",
			"With rectify_ldap_insecure_skip_verify, any server can pose as the domain controller and receive the bind password. Prefer rectify_ldap_ca_file.")
	}
	if s, rng, ok := a.str(vars, "rectify_ldap_timeout"); ok {
		if dur, ok := ansibleDuration(s); ok {
			l.Timeout = dur
		} else {
			d.errorf(rng, "Invalid timeout", "%q is neither a number of seconds nor a duration such as 90s.", s)
		}
	}
	switch {
	case scheme == "ldaps" && l.StartTLS:
		d.errorf(startTLSRng, "start_tls with ldaps", "An ldaps:// connection is TLS from the start; rectify_ldap_start_tls applies only to ldap:// URLs.")
	case scheme == "ldap" && !l.StartTLS:
		d.errorf(startTLSRng, "LDAP without TLS",
			"A plain ldap:// connection would send the bind password in clear text. Use an ldaps:// URL, or set rectify_ldap_start_tls: true.")
	}
	return l
}

// ansibleBool reads a boolean as Ansible writes one.
func ansibleBool(s string) bool {
	switch strings.ToLower(s) {
	case "true", "yes", "on", "1":
		return true
	}
	return false
}
