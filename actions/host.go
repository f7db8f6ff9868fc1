package actions

import "strings"

// Host is a target as actions see it: the inventory's facts about one
// machine, without connection settings or credentials.
type Host struct {
	Name    string            `json:"name"`
	FQDN    string            `json:"fqdn"`
	Address string            `json:"address,omitempty"`
	Domain  string            `json:"domain,omitempty"`
	Site    string            `json:"site,omitempty"`
	Groups  []string          `json:"groups,omitempty"`
	Vars    map[string]string `json:"vars,omitempty"`
	// Onward says what a command on the host can present to a service
	// beyond the host, given the inventory's WinRM authentication: never
	// the credential itself.
	Onward Onward `json:"onward,omitempty"`
}

// Onward is what a WinRM session on a host can authenticate onwards with.
// A session logged on with NTLM, Basic, or Kerberos without delegation has
// no credentials for a third machine (the second hop).
type Onward string

// The onward credentials a host's session can have.
const (
	// OnwardNone: nothing beyond the host (a Kerberos ticket cache without
	// delegation and no password).
	OnwardNone Onward = ""
	// OnwardExplicit: rectify holds the WinRM account's password and hands
	// it to an op that needs it as a sensitive argument.
	OnwardExplicit Onward = "explicit"
	// OnwardDelegated: the session holds delegated Kerberos credentials.
	OnwardDelegated Onward = "delegated"
)

// NetBIOS returns the host's computer name as Windows shows it: the first
// label of its FQDN (or of its name), in upper case.
func (h Host) NetBIOS() string {
	name := h.FQDN
	if name == "" {
		name = h.Name
	}
	first, _, _ := strings.Cut(name, ".")
	return strings.ToUpper(first)
}

// InGroup reports whether h belongs to group g.
func (h Host) InGroup(g string) bool {
	for _, x := range h.Groups {
		if x == g {
			return true
		}
	}
	return false
}

// Topology answers questions about the rest of the inventory that an action
// needs to plan one host: which DCs serve it, which hosts an attribute named.
type Topology interface {
	// Host returns the inventory host called name.
	Host(name string) (Host, bool)
}
