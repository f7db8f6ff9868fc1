package inventory

import (
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// An Ansible inventory (YAML or INI) is read as it is, so that an existing
// Windows inventory works unchanged: its hosts, groups and children, and
// the connection variables Ansible's winrm connection reads. What Ansible
// inventories lack, the domains' LDAP settings, comes from rectify_*
// variables beside them (see docs/inventory.md). Passwords are never read
// from the file: ansible_password and its kind are ignored, with a
// warning, and the password comes from the environment as with env() in
// an HCL inventory.

// ansibleVar is one variable as written, with where.
type ansibleVar struct {
	value string
	// kind says what the value is when it is not a plain scalar.
	kind varKind
	rng  hcl.Range
}

type varKind int

const (
	varScalar   varKind = iota
	varComplex          // a list or a mapping
	varVault            // an Ansible Vault-encrypted value (!vault)
	varTemplate         // a Jinja template ({{ ... }})
)

// ansibleHostRef is a host named in a group, with its own variables.
type ansibleHostRef struct {
	name string
	vars map[string]ansibleVar
	rng  hcl.Range
}

// ansibleGroup is one group as the file declares it (possibly in several
// places, merged).
type ansibleGroup struct {
	name     string
	rng      hcl.Range
	hosts    []ansibleHostRef
	children []ansibleHostRef // name and range of each child group
	vars     map[string]ansibleVar
}

// ansibleDoc is a parsed Ansible inventory.
type ansibleDoc struct {
	groups     map[string]*ansibleGroup
	groupOrder []string
}

// group returns the group called name, declaring it at rng if it is new.
func (a *ansibleDoc) group(name string, rng hcl.Range) *ansibleGroup {
	if a.groups == nil {
		a.groups = map[string]*ansibleGroup{}
	}
	g, ok := a.groups[name]
	if !ok {
		g = &ansibleGroup{name: name, rng: rng, vars: map[string]ansibleVar{}}
		a.groups[name] = g
		a.groupOrder = append(a.groupOrder, name)
	}
	return g
}

// ansibleHost is one host with everything the file says of it, resolved.
type ansibleHost struct {
	inventoryName string
	rng           hcl.Range
	// groups are the groups the host is in, directly or through
	// children, "all" and "ungrouped" left out.
	groups []string
	vars   map[string]ansibleVar
}

// Ansible's implicit groups.
const (
	groupAll       = "all"
	groupUngrouped = "ungrouped"
)

// resolve gathers every host with its groups and its variables merged in
// Ansible's order: "all", then the groups from the outermost to the
// innermost (in name order at one depth), then the host's own.
func (a *ansibleDoc) resolve(d *decoder) []*ansibleHost {
	parents := map[string][]string{}
	for _, name := range a.groupOrder {
		for _, c := range a.groups[name].children {
			if _, ok := a.groups[c.name]; !ok {
				a.group(c.name, c.rng)
			}
			parents[c.name] = append(parents[c.name], name)
		}
	}
	depth := map[string]int{}
	var depthOf func(g string, seen map[string]bool) int
	depthOf = func(g string, seen map[string]bool) int {
		if g == groupAll {
			return 0
		}
		if dd, ok := depth[g]; ok {
			return dd
		}
		if seen[g] {
			return 0
		}
		seen[g] = true
		dd := 1
		for _, p := range parents[g] {
			dd = max(dd, depthOf(p, seen)+1)
		}
		depth[g] = dd
		return dd
	}
	// A group may not contain itself through its children.
	for _, name := range a.groupOrder {
		if path := cycle(name, a.groups, nil); path != nil {
			g := a.groups[name]
			d.errorf(g.rng, "Group contains itself",
				"Group %q contains itself through its children: %s.", name, strings.Join(path, " -> "))
			return nil
		}
	}

	var hosts []*ansibleHost
	byName := map[string]*ansibleHost{}
	direct := map[string][]string{}
	for _, gname := range a.groupOrder {
		for _, ref := range a.groups[gname].hosts {
			h, ok := byName[ref.name]
			if !ok {
				h = &ansibleHost{inventoryName: ref.name, rng: ref.rng, vars: map[string]ansibleVar{}}
				byName[ref.name] = h
				hosts = append(hosts, h)
			}
			for k, v := range ref.vars {
				h.vars[k] = v
			}
			direct[ref.name] = append(direct[ref.name], gname)
		}
	}
	for _, h := range hosts {
		member := map[string]bool{groupAll: true}
		var walk func(g string)
		walk = func(g string) {
			if member[g] {
				return
			}
			member[g] = true
			for _, p := range parents[g] {
				walk(p)
			}
		}
		for _, g := range direct[h.inventoryName] {
			walk(g)
		}
		var ordered []string
		for g := range member {
			ordered = append(ordered, g)
		}
		sort.Slice(ordered, func(i, j int) bool {
			di, dj := depthOf(ordered[i], map[string]bool{}), depthOf(ordered[j], map[string]bool{})
			if di != dj {
				return di < dj
			}
			return ordered[i] < ordered[j]
		})
		merged := map[string]ansibleVar{}
		for _, g := range ordered {
			if grp, ok := a.groups[g]; ok {
				for k, v := range grp.vars {
					merged[k] = v
				}
			}
		}
		for k, v := range h.vars {
			merged[k] = v
		}
		h.vars = merged
		for _, g := range a.groupOrder {
			if member[g] && g != groupAll && g != groupUngrouped {
				h.groups = append(h.groups, g)
			}
		}
	}
	return hosts
}

// cycle returns the path by which group name contains itself, or nil.
func cycle(name string, groups map[string]*ansibleGroup, path []string) []string {
	for _, p := range path {
		if p == name {
			return append(path, name)
		}
	}
	g, ok := groups[name]
	if !ok {
		return nil
	}
	for _, c := range g.children {
		if found := cycle(c.name, groups, append(append([]string{}, path...), name)); found != nil {
			return found
		}
	}
	return nil
}

// inventoryFormat is the language an inventory file is written in.
type inventoryFormat int

const (
	formatHCL inventoryFormat = iota
	formatAnsibleYAML
	formatAnsibleINI
)

// detectFormat tells an inventory's language by its extension (.hcl;
// .yml, .yaml and .json for Ansible YAML; .ini for Ansible INI), else by
// its first significant line: "---" or "name:" is YAML, "[group]" or a
// host line is INI, a block ("host "ex01" {") is HCL.
func detectFormat(path string, src []byte) inventoryFormat {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".hcl":
		return formatHCL
	case ".yml", ".yaml", ".json":
		return formatAnsibleYAML
	case ".ini":
		return formatAnsibleINI
	}
	for _, line := range strings.Split(string(src), "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, ";") || strings.HasPrefix(t, "//") {
			continue
		}
		key, _, isKey := strings.Cut(t, ":")
		switch {
		case t == "---" || isKey && !strings.ContainsAny(key, " \t=\"{[") && key != "":
			return formatAnsibleYAML
		case strings.HasPrefix(t, "["):
			return formatAnsibleINI
		case strings.HasSuffix(t, "{"):
			return formatHCL
		default:
			return formatAnsibleINI
		}
	}
	return formatHCL
}
