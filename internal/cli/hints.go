package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/internal/connect"
	"github.com/rectifyhq/rectify/internal/ldap"
	"github.com/rectifyhq/rectify/inventory"
	"github.com/rectifyhq/rectify/operation"
)

// hintLog collects how one run's reads failed, by host (WinRM) and by
// domain (LDAP), so that rectify can say what to do where the fix is
// known. Hints come from the errors' types, never from their text.
type hintLog struct {
	mu      sync.Mutex
	hosts   map[string]error // nil: the host was read
	domains map[string]error // the first failure of each domain
}

func newHintLog() *hintLog {
	return &hintLog{hosts: map[string]error{}, domains: map[string]error{}}
}

func (h *hintLog) host(name string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.hosts[name] = err
}

func (h *hintLog) domain(name string, err error) {
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.domains[name] == nil {
		h.domains[name] = err
	}
}

// hooks returns inner (nil for none) with every host's read recorded.
func (h *hintLog) hooks(inner engine.Hooks) engine.Hooks {
	if inner == nil {
		inner = engine.NoHooks{}
	}
	return hintHooks{Hooks: inner, log: h}
}

// hintHooks records each host's read for the hints.
type hintHooks struct {
	engine.Hooks
	log *hintLog
}

func (hh hintHooks) ReadDone(host string, done, total int, err error) {
	hh.log.host(host, err)
	hh.Hooks.ReadDone(host, done, total, err)
}

// ReadStarting passes the start of a host's read on to the hooks inside,
// when they want it (progress names the hosts still being read).
func (hh hintHooks) ReadStarting(host string, total int) {
	if s, ok := hh.Hooks.(engine.ReadStartHook); ok {
		s.ReadStarting(host, total)
	}
}

var _ engine.ReadStartHook = hintHooks{}

// hintApplyView records each host's read of an apply for the hints.
type hintApplyView struct {
	operation.ApplyView
	log *hintLog
}

func (v hintApplyView) ReadDone(host string, done, total int, err error) {
	v.log.host(host, err)
	v.ApplyView.ReadDone(host, done, total, err)
}

// ReadStarting passes the start of a host's read on to the view inside,
// when it wants it.
func (v hintApplyView) ReadStarting(host string, total int) {
	if s, ok := v.ApplyView.(engine.ReadStartHook); ok {
		s.ReadStarting(host, total)
	}
}

var _ engine.ReadStartHook = hintApplyView{}

// hintConns are a run's connections whose directories report their
// failures to the hints.
type hintConns struct {
	*connect.Connections
	log *hintLog
}

var _ actions.Connections = hintConns{}

func (c hintConns) Directory(ctx context.Context, domain string) (actions.Directory, error) {
	d, err := c.Connections.Directory(ctx, domain)
	if err != nil {
		c.log.domain(domain, err)
		return nil, err
	}
	return hintDirectory{Directory: d, domain: domain, log: c.log}, nil
}

// hintDirectory reports a directory's failures to the hints.
type hintDirectory struct {
	actions.Directory
	domain string
	log    *hintLog
}

var _ actions.Directory = hintDirectory{}

func (d hintDirectory) Search(ctx context.Context, req actions.SearchRequest) ([]actions.Entry, error) {
	e, err := d.Directory.Search(ctx, req)
	d.log.domain(d.domain, err)
	return e, err
}

func (d hintDirectory) Modify(ctx context.Context, req actions.ModifyRequest) error {
	err := d.Directory.Modify(ctx, req)
	d.log.domain(d.domain, err)
	return err
}

func (d hintDirectory) RootDSE(ctx context.Context) (actions.Entry, error) {
	e, err := d.Directory.RootDSE(ctx)
	d.log.domain(d.domain, err)
	return e, err
}

// hints returns what to do about the failures recorded, given the
// inventory the run used: one line each.
func (h *hintLog) hints(inv *inventory.Inventory) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	out = append(out, winrmLogonHint(h.hosts, inv)...)
	out = append(out, winrmCertificateHints(h.hosts, inv)...)
	domains := make([]string, 0, len(h.domains))
	for d := range h.domains {
		domains = append(domains, d)
	}
	sort.Strings(domains)
	for _, name := range domains {
		var l *inventory.LDAPSettings
		if d, ok := inv.Domain(name); ok {
			l = d.LDAP
		}
		if hint := ldapHint("the domain controller of "+name, h.domains[name], inventoryLDAPSource(l)); hint != "" {
			out = append(out, hint)
		}
	}
	return out
}

// writeHints writes the hints, if any, after a blank line.
func writeHints(w io.Writer, hints []string) {
	if len(hints) == 0 {
		return
	}
	fmt.Fprintln(w)
	for _, h := range hints {
		fmt.Fprintln(w, "Hint: "+h)
	}
}

// winrmLogonHint is the hint for a WinRM logon refused (HTTP 401) by every
// host that was read: the credentials, not one host, are wrong.
func winrmLogonHint(hosts map[string]error, inv *inventory.Inventory) []string {
	if len(hosts) == 0 {
		return nil
	}
	names := make([]string, 0, len(hosts))
	for name := range hosts {
		names = append(names, name)
	}
	sort.Strings(names)
	var envs []string
	for _, name := range names {
		if actions.KindOf(hosts[name]) != actions.KindAuth {
			return nil
		}
		if s, ok := inv.WinRM(name); ok {
			envs = append(envs, s.UsernameEnv...)
			envs = append(envs, s.PasswordEnv...)
		}
	}
	return []string{fmt.Sprintf("every host refused rectify's WinRM logon (HTTP 401): check %s and the account's rights "+
		"(a member of each host's local Administrators group, as WinRM requires by default).", credentialWords(envs, "winrm", "username"))}
}

// winrmCertificateHints are the hints for hosts whose certificate was not
// signed by a CA rectify trusts, one per CA file.
func winrmCertificateHints(hosts map[string]error, inv *inventory.Inventory) []string {
	byCA := map[string][]string{}
	for name, err := range hosts {
		if !unknownAuthority(err) {
			continue
		}
		ca := ""
		if s, ok := inv.WinRM(name); ok {
			ca = s.CAFile
		}
		byCA[ca] = append(byCA[ca], name)
	}
	var out []string
	for ca, names := range byCA {
		sort.Strings(names)
		out = append(out, fmt.Sprintf("the WinRM certificate of %s is not signed by %s.", strings.Join(names, ", "), trustWords(ca, "winrm")))
	}
	sort.Strings(out)
	return out
}

// ldapSource says where a bind's credentials and trusted CAs come from,
// in the words of a hint.
type ldapSource struct {
	// credentials names the user and password ("RECTIFY_LDAP_USER and
	// RECTIFY_LDAP_PASSWORD (the inventory's ldap bind_user and password)").
	credentials string
	// password names the password alone.
	password string
	// trust names the CAs trusted (see trustWords).
	trust string
}

// inventoryLDAPSource is the ldapSource of a domain's ldap block (nil when
// the inventory has none).
func inventoryLDAPSource(l *inventory.LDAPSettings) ldapSource {
	var envs []string
	src := ldapSource{password: "the inventory's ldap password", trust: trustWords("", "ldap")}
	if l != nil {
		envs = append(append(envs, l.BindUserEnv...), l.PasswordEnv...)
		if len(l.PasswordEnv) > 0 {
			src.password = strings.Join(l.PasswordEnv, " and ")
		}
		src.trust = trustWords(l.CAFile, "ldap")
	}
	src.credentials = credentialWords(envs, "ldap", "bind_user")
	return src
}

// ldapHint is the hint for a directory's failure, "" when none is known;
// dc names the server ("the domain controller of corp.example.com").
func ldapHint(dc string, err error, src ldapSource) string {
	var res *ldap.ResultError
	switch {
	case errors.As(err, &res) && res.Logon == ldap.LogonBadCredentials:
		return fmt.Sprintf("%s refused the LDAP bind: the user name or password is wrong (data 52e); check %s.", dc, src.credentials)
	case errors.As(err, &res) && res.Logon == ldap.LogonAccountLockedOut:
		return fmt.Sprintf("%s refused the LDAP bind: the account is locked out (data 775); it logs on again when the domain's lockout duration "+
			"has passed or an administrator unlocks it. Before running again, check %s: wrong passwords are what lock an account out.", dc, src.password)
	case errors.As(err, &res) && res.Logon != 0:
		return fmt.Sprintf("%s refused the LDAP bind (%s); check the account of %s.", dc, res.Logon, src.credentials)
	case unknownAuthority(err):
		return fmt.Sprintf("the LDAP certificate of %s is not signed by %s.", dc, src.trust)
	}
	return ""
}

// unknownAuthority reports whether err is a certificate signed by no CA
// rectify trusts.
func unknownAuthority(err error) bool {
	var (
		unknown x509.UnknownAuthorityError
		verify  *tls.CertificateVerificationError
	)
	if errors.As(err, &unknown) {
		return true
	}
	return errors.As(err, &verify) && errors.As(verify.Err, &unknown)
}

// trustWords names where rectify took the CAs it trusts from.
func trustWords(caFile, block string) string {
	if caFile == "" {
		return fmt.Sprintf("a CA this machine trusts: set ca_file in the inventory's %s block to the CA that issued it", block)
	}
	return fmt.Sprintf("a CA of %s (the inventory's %s ca_file): add the CA that issued it to that file", caFile, block)
}

// credentialWords names the environment variables the credentials come
// from, or the inventory's attributes when they come from none.
func credentialWords(envs []string, block, user string) string {
	var seen []string
	for _, e := range envs {
		if !slices.Contains(seen, e) {
			seen = append(seen, e)
		}
	}
	envs = seen
	if len(envs) == 0 {
		return fmt.Sprintf("the inventory's %s %s and password", block, user)
	}
	return strings.Join(envs, " and ") + fmt.Sprintf(" (the inventory's %s %s and password)", block, user)
}
