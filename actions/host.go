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
	// Session is what rectify's WinRM session on the host can do.
	Session Session `json:"session"`
}

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
