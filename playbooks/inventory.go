package playbooks

import (
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
)

// hostType is the object a host evaluates to in a playbook (host.ex01,
// the elements of group.exchange).
var hostType = cty.Object(map[string]cty.Type{
	"name":    cty.String,
	"fqdn":    cty.String,
	"address": cty.String,
	"domain":  cty.String,
	"site":    cty.String,
	"groups":  cty.List(cty.String),
	"vars":    cty.Map(cty.String),
})

// inventory is the hosts a playbook is evaluated against. A nil inventory
// stands for none: every group and host is unknown.
type inventory struct {
	hosts  []actions.Host
	index  map[string]int
	groups map[string][]int
	objs   []cty.Value
}

func newInventory(hosts []actions.Host, groups []string) *inventory {
	inv := &inventory{hosts: hosts, index: map[string]int{}, groups: map[string][]int{}}
	for _, g := range groups {
		inv.groups[g] = nil
	}
	for i, h := range hosts {
		if _, dup := inv.index[h.Name]; dup {
			continue
		}
		inv.index[h.Name] = i
		seen := map[string]bool{}
		for _, g := range h.Groups {
			if !seen[g] {
				seen[g] = true
				inv.groups[g] = append(inv.groups[g], i)
			}
		}
	}
	inv.objs = make([]cty.Value, len(hosts))
	for i, h := range hosts {
		inv.objs[i] = hostValue(h)
	}
	return inv
}

// hostValue is the object host h evaluates to.
func hostValue(h actions.Host) cty.Value {
	groups := cty.ListValEmpty(cty.String)
	if len(h.Groups) > 0 {
		gs := make([]cty.Value, len(h.Groups))
		for i, g := range h.Groups {
			gs[i] = cty.StringVal(g)
		}
		groups = cty.ListVal(gs)
	}
	vars := cty.MapValEmpty(cty.String)
	if len(h.Vars) > 0 {
		vs := make(map[string]cty.Value, len(h.Vars))
		for k, v := range h.Vars {
			vs[k] = cty.StringVal(v)
		}
		vars = cty.MapVal(vs)
	}
	return cty.ObjectVal(map[string]cty.Value{
		"name":    cty.StringVal(h.Name),
		"fqdn":    cty.StringVal(h.FQDN),
		"address": cty.StringVal(h.Address),
		"domain":  cty.StringVal(h.Domain),
		"site":    cty.StringVal(h.Site),
		"groups":  groups,
		"vars":    vars,
	})
}

// groupsValue is the value of the group root: a map from group name to the
// list of its hosts.
func (inv *inventory) groupsValue() cty.Value {
	ty := cty.Map(cty.List(hostType))
	if inv == nil {
		return cty.UnknownVal(ty)
	}
	if len(inv.groups) == 0 {
		return cty.MapValEmpty(cty.List(hostType))
	}
	m := make(map[string]cty.Value, len(inv.groups))
	for g, members := range inv.groups {
		if len(members) == 0 {
			m[g] = cty.ListValEmpty(hostType)
			continue
		}
		list := make([]cty.Value, len(members))
		for i, idx := range members {
			list[i] = inv.objs[idx]
		}
		m[g] = cty.ListVal(list)
	}
	return cty.MapVal(m)
}

// hostsValue is the value of the host root: a map from host name to host.
func (inv *inventory) hostsValue() cty.Value {
	if inv == nil {
		return cty.UnknownVal(cty.Map(hostType))
	}
	if len(inv.index) == 0 {
		return cty.MapValEmpty(hostType)
	}
	m := make(map[string]cty.Value, len(inv.index))
	for name, i := range inv.index {
		m[name] = inv.objs[i]
	}
	return cty.MapVal(m)
}

// checkRefs reports group.<name> and host.<name> references to groups and
// hosts the inventory does not have. Without an inventory there is nothing
// to check against.
func (inv *inventory) checkRefs(expr hcl.Expression) hcl.Diagnostics {
	if inv == nil {
		return nil
	}
	var diags hcl.Diagnostics
	for _, tr := range expr.Variables() {
		r, named := traversalName(tr)
		if !named {
			continue
		}
		switch r.Root {
		case rootGroup:
			if _, ok := inv.groups[r.Name]; !ok {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Unknown group",
					Detail:   fmt.Sprintf("The inventory has no group %q.%s", r.Name, didYouMean(r.Name, sortedKeys(inv.groups))),
					Subject:  r.Range.Ptr(),
				})
			}
		case rootHost:
			if _, ok := inv.index[r.Name]; !ok {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Unknown host",
					Detail:   fmt.Sprintf("The inventory has no host %q.%s", r.Name, didYouMean(r.Name, sortedKeys(inv.index))),
					Subject:  r.Range.Ptr(),
				})
			}
		}
	}
	return diags
}

// selection is the hosts a targets expression or a host attribute selects.
type selection struct {
	names []string
	// known is false when the value is not known (no inventory).
	known bool
}

// selectHosts turns a value into host names: a host object, a host name, or
// any nesting of lists, sets, tuples, maps and objects of them (targets =
// host is every host). With an inventory the
// names are checked and returned in inventory order without duplicates.
func (inv *inventory) selectHosts(v cty.Value) (selection, string) {
	v, _ = v.UnmarkDeep()
	if !v.IsWhollyKnown() {
		return selection{}, ""
	}
	var names []string
	var walk func(v cty.Value, depth int) string
	walk = func(v cty.Value, depth int) string {
		ty := v.Type()
		switch {
		case v.IsNull():
			return "a host selection must not contain null"
		case ty == cty.String:
			names = append(names, v.AsString())
		case ty.IsObjectType() && ty.HasAttribute("name") && ty.AttributeType("name") == cty.String:
			n := v.GetAttr("name")
			if n.IsNull() {
				return "a host object must have a name"
			}
			names = append(names, n.AsString())
		case (ty.IsListType() || ty.IsSetType() || ty.IsTupleType() || ty.IsMapType() || ty.IsObjectType()) && depth < 8:
			for it := v.ElementIterator(); it.Next(); {
				_, e := it.Element()
				if why := walk(e, depth+1); why != "" {
					return why
				}
			}
		default:
			return fmt.Sprintf("select hosts with a host (host.ex01), a group (group.exchange), a host name, or a list of them; this is %s", ty.FriendlyName())
		}
		return ""
	}
	if why := walk(v, 0); why != "" {
		return selection{}, why
	}
	if inv == nil {
		return selection{}, ""
	}
	seen := map[int]bool{}
	var idx []int
	for _, n := range names {
		i, ok := inv.index[n]
		if !ok {
			return selection{}, fmt.Sprintf("the inventory has no host %q", n)
		}
		if !seen[i] {
			seen[i] = true
			idx = append(idx, i)
		}
	}
	sort.Ints(idx)
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = inv.hosts[i].Name
	}
	return selection{names: out, known: true}, ""
}
