package lab

import (
	"strings"

	"github.com/rectifyhq/rectify/internal/lab/directory"
)

// directoryAccounts reads and writes accounts in the lab's directory.
type directoryAccounts struct {
	dir *directory.Directory
}

var _ Accounts = directoryAccounts{}

func accountOf(e directory.Entry) Account {
	return Account{
		DN:             e.DN,
		SAMAccountName: e.Get("sAMAccountName"),
		DNSHostName:    e.Get("dNSHostName"),
		SPNs:           append([]string(nil), e.Values("servicePrincipalName")...),
	}
}

func (a directoryAccounts) search(f directory.Filter) []Account {
	entries, err := a.dir.Search(a.dir.Root(), directory.ScopeSubtree, f)
	if err != nil {
		return nil
	}
	out := make([]Account, 0, len(entries))
	for _, e := range entries {
		out = append(out, accountOf(e))
	}
	return out
}

// Account finds an object by sAMAccountName (with or without $) or
// dNSHostName.
func (a directoryAccounts) Account(name string) (Account, bool) {
	name = strings.TrimSpace(name)
	if _, after, ok := strings.Cut(name, `\`); ok {
		name = after
	}
	f := directory.Or(
		directory.Equal("sAMAccountName", name),
		directory.Equal("sAMAccountName", strings.TrimSuffix(name, "$")+"$"),
		directory.Equal("dNSHostName", name),
	)
	found := a.search(f)
	if len(found) == 0 {
		return Account{}, false
	}
	return found[0], true
}

// Holders returns every object holding spn.
func (a directoryAccounts) Holders(spn string) []Account {
	return a.search(directory.Equal("servicePrincipalName", spn))
}

// WithSPNs returns every object holding an SPN.
func (a directoryAccounts) WithSPNs() []Account {
	return a.search(directory.Present("servicePrincipalName"))
}

// AddSPNs plants SPNs without the uniqueness check.
func (a directoryAccounts) AddSPNs(dn string, spns ...string) error {
	return a.dir.SeedAttribute(dn, "servicePrincipalName", spns...)
}

// RemoveSPNs removes SPNs the object holds.
func (a directoryAccounts) RemoveSPNs(dn string, spns ...string) error {
	return a.dir.Modify(dn, []directory.Change{{Op: directory.ChangeDelete, Attribute: "servicePrincipalName", Values: spns}})
}
