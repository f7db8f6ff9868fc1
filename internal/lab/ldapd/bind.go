package ldapd

import (
	"crypto/subtle"
	"strings"
	"sync"

	ber "github.com/go-asn1-ber/asn1-ber"

	"github.com/rectifyhq/rectify/internal/lab/directory"
)

// accounts resolves the bind names AD accepts to one account each.
type accounts struct {
	dir      *directory.Directory
	netbios  string
	dnsName  string
	password map[string]string // identity -> password
	readOnly map[string]bool   // identity -> may not write

	mu     sync.RWMutex
	locked map[string]bool // identity -> locked out
}

// lockOut locks out the account name stands for (in any of AD's forms), or
// lets it log on again.
func (a *accounts) lockOut(name string, locked bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.locked == nil {
		a.locked = map[string]bool{}
	}
	for _, id := range a.identities(name) {
		a.locked[id] = locked
	}
}

// lockedOut reports whether a bind as name is for a locked-out account.
func (a *accounts) lockedOut(name string) bool {
	a.mu.RLock()
	defer a.mu.RUnlock()
	for _, id := range a.bindIdentities(name) {
		if a.locked[id] {
			return true
		}
	}
	return false
}

func newAccounts(opts Options, dir *directory.Directory) *accounts {
	a := &accounts{
		dir:      dir,
		netbios:  opts.NetBIOSDomain,
		dnsName:  dir.DNSName(),
		password: map[string]string{},
		readOnly: map[string]bool{},
	}
	for name, pw := range opts.Users {
		for _, id := range a.identities(name) {
			a.password[id] = pw
		}
	}
	for _, name := range opts.ReadOnlyUsers {
		for _, id := range a.identities(name) {
			a.readOnly[id] = true
		}
	}
	return a
}

// identities returns the keys a configured user name stands for:
// "acct:<name>" for an account name in any of AD's forms (a bare account
// name included), "dn:<canonical DN>" for a DN.
func (a *accounts) identities(name string) []string {
	name = strings.TrimSpace(name)
	if name != "" && !strings.ContainsAny(name, `\@=`) {
		return []string{"acct:" + strings.ToLower(name)}
	}
	return a.bindIdentities(name)
}

// bindIdentities returns the keys a bind name stands for. As on AD and
// Samba, a client must qualify the account: a UPN (account@dns.domain),
// DOMAIN\account or a DN; a DN also stands for the account of the entry it
// names. A bare account name stands for nothing.
func (a *accounts) bindIdentities(name string) []string {
	name = strings.TrimSpace(name)
	if domain, user, ok := strings.Cut(name, `\`); ok {
		if !strings.EqualFold(domain, a.netbios) && !strings.EqualFold(domain, a.dnsName) || user == "" {
			return nil
		}
		return []string{"acct:" + strings.ToLower(user)}
	}
	if strings.Contains(name, "=") {
		ndn, err := directory.NormalizeDN(name)
		if err != nil || ndn == "" {
			return nil
		}
		ids := []string{"dn:" + ndn}
		if e, err := a.dir.Get(name); err == nil {
			if sam := e.Get("sAMAccountName"); sam != "" {
				ids = append(ids, "acct:"+strings.ToLower(sam))
			}
		}
		return ids
	}
	if user, realm, ok := strings.Cut(name, "@"); ok {
		if !strings.EqualFold(realm, a.dnsName) || user == "" {
			return nil
		}
		return []string{"acct:" + strings.ToLower(user)}
	}
	return nil
}

// authenticate returns the identity the name and password prove, or false.
func (a *accounts) authenticate(name, password string) (string, bool) {
	for _, id := range a.bindIdentities(name) {
		want, ok := a.password[id]
		if ok && subtle.ConstantTimeCompare([]byte(want), []byte(password)) == 1 {
			return id, true
		}
	}
	return "", false
}

// bind handles a BindRequest: version 3 (or 2), simple authentication only.
func (c *conn) bind(m *message) result {
	p := m.op
	if p.TagType != ber.TypeConstructed || len(p.Children) != 3 {
		return result{code: 2, message: errDecoding}
	}
	version, err := integer(p.Children[0])
	if err != nil {
		return result{code: 2, message: errDecoding}
	}
	name, err := str(p.Children[1])
	if err != nil {
		return result{code: 2, message: errDecoding}
	}
	auth := p.Children[2]
	if version != 3 && version != 2 {
		return result{code: 2, message: errDecoding}
	}
	// Any bind, successful or not, first drops the current identity.
	c.account = ""
	if auth.ClassType != ber.ClassContext || auth.Tag != 0 || auth.TagType != ber.TypePrimitive {
		if auth.ClassType == ber.ClassContext && auth.Tag == 3 {
			return result{code: 7, message: errAuthMethod}
		}
		return result{code: 2, message: errDecoding}
	}
	password := auth.Data.String()
	if name == "" && password == "" {
		return result{} // anonymous
	}
	if !c.isTLS && !c.srv.opts.AllowPlainBind {
		return result{code: 8, message: errIntegrityRequired}
	}
	if password == "" {
		// An unauthenticated bind (a name without a password) is refused
		// like a wrong password, as Samba refuses it.
		return result{code: 49, message: errInvalidCredentials}
	}
	if c.srv.users.lockedOut(name) {
		// A locked-out account is refused with data 775 whatever the
		// password, before it is checked (the vendors' notes on AD's bind
		// errors say so; the wrong-password case is _unverified on a DC).
		return result{code: 49, message: errAccountLockedOut}
	}
	id, ok := c.srv.users.authenticate(name, password)
	if !ok {
		return result{code: 49, message: errInvalidCredentials}
	}
	c.account = id
	return result{}
}
