package inventory

import (
	"encoding/json"
	"slices"

	"github.com/hashicorp/hcl/v2"

	"github.com/rectifyhq/rectify/actions"
)

// Inventory is a loaded, checked inventory file.
type Inventory struct {
	path    string
	digest  string
	hosts   []*host
	byName  map[string]*host
	groups  []string
	domains []*Domain
}

// host is one host with its resolved connection settings.
type host struct {
	facts actions.Host
	winrm WinRMSettings
	rng   hcl.Range
}

var _ actions.Topology = (*Inventory)(nil)

// Path returns the file the inventory was loaded from.
func (inv *Inventory) Path() string { return inv.path }

// Digest returns the SHA-256 of the inventory file's bytes as
// "sha256:<hex>", so that a saved plan can tell whether the inventory changed.
func (inv *Inventory) Digest() string { return inv.digest }

// Hosts returns every host, in the order the file declares them.
func (inv *Inventory) Hosts() []actions.Host {
	out := make([]actions.Host, len(inv.hosts))
	for i, h := range inv.hosts {
		out[i] = copyHost(h.facts)
	}
	return out
}

// HostNames returns the names of every host, in declaration order.
func (inv *Inventory) HostNames() []string {
	out := make([]string, len(inv.hosts))
	for i, h := range inv.hosts {
		out[i] = h.facts.Name
	}
	return out
}

// Host returns the host called name.
func (inv *Inventory) Host(name string) (actions.Host, bool) {
	h, ok := inv.byName[name]
	if !ok {
		return actions.Host{}, false
	}
	return copyHost(h.facts), true
}

// HostRange returns where the host called name is declared.
func (inv *Inventory) HostRange(name string) (hcl.Range, bool) {
	h, ok := inv.byName[name]
	if !ok {
		return hcl.Range{}, false
	}
	return h.rng, true
}

// WinRM returns how to reach the host called name over WinRM.
func (inv *Inventory) WinRM(name string) (WinRMSettings, bool) {
	h, ok := inv.byName[name]
	if !ok {
		return WinRMSettings{}, false
	}
	return h.winrm, true
}

// Groups returns every group name, declared by a group block or named in a
// host's groups, in the order the file first mentions them.
func (inv *Inventory) Groups() []string { return slices.Clone(inv.groups) }

// Domain returns the domain with the given DNS name (case-insensitive).
func (inv *Inventory) Domain(name string) (Domain, bool) {
	want := canonicalDomain(name)
	for _, d := range inv.domains {
		if d.Name == want {
			return *d, true
		}
	}
	return Domain{}, false
}

// Domains returns every domain, in declaration order.
func (inv *Inventory) Domains() []Domain {
	out := make([]Domain, len(inv.domains))
	for i, d := range inv.domains {
		out[i] = *d
	}
	return out
}

// MarshalJSON encodes the inventory as it was resolved, with secrets shown
// as "(sensitive)".
func (inv *Inventory) MarshalJSON() ([]byte, error) {
	type jsonHost struct {
		actions.Host
		WinRM WinRMSettings `json:"winrm"`
	}
	doc := struct {
		Path    string     `json:"path"`
		Digest  string     `json:"digest"`
		Hosts   []jsonHost `json:"hosts"`
		Groups  []string   `json:"groups"`
		Domains []Domain   `json:"domains"`
	}{Path: inv.path, Digest: inv.digest, Groups: inv.Groups(), Domains: inv.Domains()}
	for _, h := range inv.hosts {
		doc.Hosts = append(doc.Hosts, jsonHost{Host: h.facts, WinRM: h.winrm})
	}
	return json.Marshal(doc)
}

func copyHost(h actions.Host) actions.Host {
	h.Groups = slices.Clone(h.Groups)
	if h.Vars != nil {
		vars := make(map[string]string, len(h.Vars))
		for k, v := range h.Vars {
			vars[k] = v
		}
		h.Vars = vars
	}
	return h
}
