package ad

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/plans"
)

// SPN is the ad.spn action: an Exchange server's computer account holds
// SMTP/<HOST>, SMTP/<fqdn>, SMTPSVC/<HOST> and SMTPSVC/<fqdn> (services
// configurable), and no other account holds them. Missing values are added
// in one modify; a value another account holds is reported as blocked with
// that account's DN and what else it holds, and removed from it only when
// the playbook says resolve_conflicts = "remove_from_other".
type SPN struct{}

var _ actions.Action = SPN{}

// Conflict policies.
const (
	conflictsReport = "report"
	conflictsRemove = "remove_from_other"
)

var computerMatch = actions.Equal{Attribute: "objectCategory", Value: "computer"}

var accountAttrs = []string{"distinguishedName", "sAMAccountName", "dNSHostName", "servicePrincipalName", "userAccountControl"}

// Schema implements actions.Action.
func (SPN) Schema() actions.Schema {
	return actions.Schema{
		Description: "Ensures an Exchange server's SMTP service principal names are on its computer account and nowhere else.",
		Attributes: []actions.Attribute{
			{Name: "services", Type: cty.List(cty.String), Default: cty.ListVal([]cty.Value{cty.StringVal("SMTP"), cty.StringVal("SMTPSVC")}), Check: checkServices},
			{Name: "account", Type: cty.String, Description: "Computer account (sAMAccountName); default: the host's NetBIOS name followed by $."},
			{Name: "resolve_conflicts", Type: cty.String, Default: cty.StringVal(conflictsReport), OneOf: []string{conflictsReport, conflictsRemove}},
			{Name: "kb_step", Type: cty.String, Default: cty.StringVal("3")},
		},
	}
}

func checkServices(v cty.Value) string {
	if v.LengthInt() == 0 {
		return "must name at least one service"
	}
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() || e.AsString() == "" || strings.ContainsAny(e.AsString(), "/ \t\r\n\x00") {
			return "each service must be a class name such as SMTPSVC, without slashes or spaces"
		}
	}
	return ""
}

func account(inst actions.Instance) string {
	if a := inst.Config.String("account"); a != "" {
		return a
	}
	return inst.Host.NetBIOS() + "$"
}

// WantedSPNs returns the KB's SPNs for a host: each service with the
// NetBIOS name and with the FQDN.
func WantedSPNs(h actions.Host, services []string) []string {
	var out []string
	for _, s := range services {
		out = append(out, s+"/"+h.NetBIOS())
		if h.FQDN != "" {
			out = append(out, s+"/"+strings.ToLower(h.FQDN))
		}
	}
	return out
}

// Probes implements actions.Action: the account itself (one lookup merged
// with every other host's) and every holder of the wanted SPNs in the
// forest (one Global Catalog lookup merged likewise).
func (SPN) Probes(inst actions.Instance) ([]actions.Probe, error) {
	if inst.Host.Domain == "" {
		return nil, fmt.Errorf("host %s has no domain in the inventory; ad.spn needs it to find the computer account", inst.Host.Name)
	}
	return []actions.Probe{
		{Name: "account", Lookup: &actions.LookupProbe{
			Domain: inst.Host.Domain, Match: computerMatch, Attribute: "sAMAccountName",
			Values: []string{account(inst)}, Attributes: accountAttrs,
		}},
		{Name: "holders", Lookup: &actions.LookupProbe{
			Domain: inst.Host.Domain, GlobalCatalog: true, Attribute: "servicePrincipalName",
			Values: WantedSPNs(inst.Host, inst.Config.Strings("services")), Attributes: accountAttrs,
		}},
	}, nil
}

// Holder is another account holding one of the wanted SPNs.
type Holder struct {
	DN             string   `json:"dn"`
	SAMAccountName string   `json:"sam_account_name"`
	Disabled       bool     `json:"disabled"`
	Holds          []string `json:"holds"`
	// Others is every other SPN the account holds: the blast radius of
	// removing anything from it.
	Others []string `json:"others"`
}

type spnState struct {
	Found   bool     `json:"found"`
	DN      string   `json:"dn,omitempty"`
	Account string   `json:"account"`
	SPNs    []string `json:"spns"`
	// Missing lists wanted SPNs the account lacks.
	Missing []string `json:"missing"`
	// Holders lists other accounts holding wanted SPNs.
	Holders []Holder `json:"holders"`
}

// Observe implements actions.Action.
func (SPN) Observe(inst actions.Instance, r actions.Results) (actions.State, error) {
	accounts, err := r.Entries("account")
	if err != nil {
		return nil, err
	}
	holders, err := r.Entries("holders")
	if err != nil {
		return nil, err
	}
	wanted := WantedSPNs(inst.Host, inst.Config.Strings("services"))
	st := spnState{Account: account(inst), SPNs: []string{}, Missing: []string{}, Holders: []Holder{}}
	var self actions.Entry
	for _, e := range accounts {
		if strings.EqualFold(e.Get("sAMAccountName"), st.Account) {
			self, st.Found, st.DN = e, true, e.DN
			break
		}
	}
	if st.Found {
		st.SPNs = sortedFold(self.Values("servicePrincipalName"))
	}
	for _, w := range wanted {
		if !containsFold(st.SPNs, w) {
			st.Missing = append(st.Missing, w)
		}
	}
	for _, e := range holders {
		if st.Found && strings.EqualFold(e.DN, st.DN) {
			continue
		}
		h := Holder{DN: e.DN, SAMAccountName: e.Get("sAMAccountName"), Disabled: disabled(e.Get("userAccountControl"))}
		for _, v := range e.Values("servicePrincipalName") {
			if containsFold(wanted, v) {
				h.Holds = append(h.Holds, v)
			} else {
				h.Others = append(h.Others, v)
			}
		}
		if len(h.Holds) == 0 {
			continue
		}
		h.Holds, h.Others = sortedFold(h.Holds), sortedFold(h.Others)
		if h.Others == nil {
			h.Others = []string{}
		}
		st.Holders = append(st.Holders, h)
	}
	sort.Slice(st.Holders, func(i, j int) bool { return strings.ToLower(st.Holders[i].DN) < strings.ToLower(st.Holders[j].DN) })
	return st, nil
}

func disabled(uac string) bool {
	var n int64
	if _, err := fmt.Sscan(uac, &n); err != nil {
		return false
	}
	return n&2 != 0
}

// spnPayload is what apply writes.
type spnPayload struct {
	DN   string   `json:"dn"`
	Add  []string `json:"add,omitempty"`
	From []struct {
		DN     string   `json:"dn"`
		Remove []string `json:"remove"`
	} `json:"from,omitempty"`
	// Give lists values added to other accounts (an undo giving back
	// what a change removed from them), after the removals.
	Give []spnValues `json:"give,omitempty"`
}

// spnValues are SPN values of one account.
type spnValues struct {
	DN     string   `json:"dn"`
	Values []string `json:"values"`
}

// Plan implements actions.Action.
func (SPN) Plan(inst actions.Instance, current actions.State) (plans.Change, error) {
	st, ok := current.(spnState)
	if !ok {
		return plans.Change{}, fmt.Errorf("unexpected state %T", current)
	}
	kb := inst.Config.String("kb_step")
	object := "computer account " + st.Account
	if !st.Found {
		return plans.Change{Action: plans.Blocked, Object: object, KBStep: kb,
			Reason:   fmt.Sprintf("no computer account %s in %s", st.Account, inst.Host.Domain),
			Findings: []string{"check the host's fqdn and domain in the inventory, or set account in the step"}}, nil
	}
	remove := inst.Config.String("resolve_conflicts") == conflictsRemove
	// A missing SPN that another account holds cannot be added (the
	// directory refuses duplicates) unless that holder gives it up.
	heldElsewhere := map[string]Holder{}
	for _, h := range st.Holders {
		for _, v := range h.Holds {
			heldElsewhere[strings.ToLower(v)] = h
		}
	}
	var findings []string
	for _, h := range st.Holders {
		state := "enabled"
		if h.Disabled {
			state = "disabled"
		}
		findings = append(findings, fmt.Sprintf("%s (%s, %s) also holds %s; it holds %d other SPN(s)%s",
			h.SAMAccountName, h.DN, state, strings.Join(h.Holds, ", "), len(h.Others), listSuffix(h.Others)))
	}
	var add []string
	for _, m := range st.Missing {
		if _, held := heldElsewhere[strings.ToLower(m)]; !held || remove {
			add = append(add, m)
		}
	}
	if len(st.Holders) > 0 && !remove {
		findings = append(findings, `removing an SPN from another account can break what that account runs; set resolve_conflicts = "remove_from_other" in the step to have rectify remove them`)
		if len(add) == 0 {
			return plans.Change{Action: plans.Blocked, Object: object, KBStep: kb,
				Reason:   "KB 979174 step 3: an SMTP SPN of this server is held by another account (duplicate SPN); Kerberos cannot tell the accounts apart",
				Findings: findings}, nil
		}
	}
	if len(add) == 0 && (len(st.Holders) == 0 || !remove) {
		return plans.Change{Action: plans.NoOp, Object: object}, nil
	}
	ch := plans.Change{Object: object, KBStep: kb, Findings: findings,
		Reason: "KB 979174 step 3: the Exchange server's computer account must hold its SMTP and SMTPSVC SPNs, and no other account may",
		Risk:   "adds values only to this server's account"}
	payload := spnPayload{DN: st.DN, Add: add}
	if len(add) > 0 {
		// Values are added to an existing account: an update in place.
		ch.Action = plans.Update
		ch.Attrs = append(ch.Attrs, plans.Attr{Name: "servicePrincipalName", After: add})
		ch.Undo = "remove " + strings.Join(add, ", ") + " from " + st.Account
	}
	if remove && len(st.Holders) > 0 {
		ch.Action = plans.Update
		ch.Object = "computer account " + st.Account + " and the accounts holding its SPNs"
		ch.Risk = "removes SPNs from other accounts: whatever runs under them loses those names"
		for _, h := range st.Holders {
			payload.From = append(payload.From, struct {
				DN     string   `json:"dn"`
				Remove []string `json:"remove"`
			}{DN: h.DN, Remove: h.Holds})
			ch.Attrs = append(ch.Attrs, plans.Attr{Name: "servicePrincipalName of " + h.SAMAccountName, Before: h.Holds})
		}
		ch.Undo = strings.TrimPrefix(ch.Undo+"; add the removed SPNs back to their accounts", "; ")
	}
	if len(add) > 0 && len(findings) > 0 && !remove {
		ch.Reason += "; conflicting SPNs are left for the operator"
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return plans.Change{}, err
	}
	ch.Payload = b
	return ch, nil
}

func listSuffix(v []string) string {
	if len(v) == 0 {
		return ""
	}
	if len(v) > 5 {
		return ": " + strings.Join(v[:5], ", ") + ", ..."
	}
	return ": " + strings.Join(v, ", ")
}

// Apply implements actions.Action: removals from other accounts first (only
// when planned), then one modify adding the missing values.
func (SPN) Apply(ctx context.Context, inst actions.Instance, change plans.Change, conns actions.Connections) (actions.Outcome, error) {
	var p spnPayload
	if err := json.Unmarshal(change.Payload, &p); err != nil {
		return actions.Outcome{}, fmt.Errorf("the planned change carries no readable payload: %w", err)
	}
	dir, err := conns.Directory(ctx, inst.Host.Domain)
	if err != nil {
		return actions.Outcome{}, err
	}
	var out actions.Outcome
	for _, f := range p.From {
		if err := dir.Modify(ctx, actions.ModifyRequest{DN: f.DN, Changes: []actions.Modification{{Op: actions.ModDelete, Attribute: "servicePrincipalName", Values: f.Remove}}}); err != nil {
			return out, fmt.Errorf("remove %s from %s: %w", strings.Join(f.Remove, ", "), f.DN, err)
		}
		out.Messages = append(out.Messages, fmt.Sprintf("removed %s from %s", strings.Join(f.Remove, ", "), f.DN))
	}
	if len(p.Add) > 0 {
		if err := dir.Modify(ctx, actions.ModifyRequest{DN: p.DN, Changes: []actions.Modification{{Op: actions.ModAdd, Attribute: "servicePrincipalName", Values: p.Add}}}); err != nil {
			return out, fmt.Errorf("add %s to %s: %w", strings.Join(p.Add, ", "), p.DN, err)
		}
		out.Messages = append(out.Messages, fmt.Sprintf("added %s to %s", strings.Join(p.Add, ", "), p.DN))
	}
	for _, g := range p.Give {
		if err := dir.Modify(ctx, actions.ModifyRequest{DN: g.DN, Changes: []actions.Modification{{Op: actions.ModAdd, Attribute: "servicePrincipalName", Values: g.Values}}}); err != nil {
			return out, fmt.Errorf("give %s back to %s: %w", strings.Join(g.Values, ", "), g.DN, err)
		}
		out.Messages = append(out.Messages, fmt.Sprintf("gave %s back to %s", strings.Join(g.Values, ", "), g.DN))
	}
	b, err := json.Marshal(spnUndo{DN: p.DN, Remove: p.Add, Restore: p.From, Take: p.Give})
	if err != nil {
		return out, err
	}
	out.Undo = b
	return out, nil
}

// spnUndo reverts an SPN change: the added values come off the account,
// the removed ones go back to theirs.
type spnUndo struct {
	DN      string   `json:"dn"`
	Remove  []string `json:"remove,omitempty"`
	Restore []struct {
		DN     string   `json:"dn"`
		Remove []string `json:"remove"`
	} `json:"restore,omitempty"`
	// Take lists values the change gave to other accounts: they come off
	// again.
	Take []spnValues `json:"take,omitempty"`
}

var _ actions.Undoer = SPN{}

// Undo implements actions.Undoer.
func (SPN) Undo(ctx context.Context, inst actions.Instance, undo json.RawMessage, conns actions.Connections) (actions.Outcome, error) {
	var u spnUndo
	if err := json.Unmarshal(undo, &u); err != nil {
		return actions.Outcome{}, fmt.Errorf("unreadable undo data: %w", err)
	}
	dir, err := conns.Directory(ctx, inst.Host.Domain)
	if err != nil {
		return actions.Outcome{}, err
	}
	var out actions.Outcome
	for _, t := range u.Take {
		if err := dir.Modify(ctx, actions.ModifyRequest{DN: t.DN, Changes: []actions.Modification{{Op: actions.ModDelete, Attribute: "servicePrincipalName", Values: t.Values}}}); err != nil {
			return out, fmt.Errorf("remove %s from %s: %w", strings.Join(t.Values, ", "), t.DN, err)
		}
		out.Messages = append(out.Messages, fmt.Sprintf("removed %s from %s", strings.Join(t.Values, ", "), t.DN))
	}
	if len(u.Remove) > 0 {
		if err := dir.Modify(ctx, actions.ModifyRequest{DN: u.DN, Changes: []actions.Modification{{Op: actions.ModDelete, Attribute: "servicePrincipalName", Values: u.Remove}}}); err != nil {
			return out, fmt.Errorf("remove %s from %s: %w", strings.Join(u.Remove, ", "), u.DN, err)
		}
		out.Messages = append(out.Messages, fmt.Sprintf("removed %s from %s", strings.Join(u.Remove, ", "), u.DN))
	}
	for _, r := range u.Restore {
		if err := dir.Modify(ctx, actions.ModifyRequest{DN: r.DN, Changes: []actions.Modification{{Op: actions.ModAdd, Attribute: "servicePrincipalName", Values: r.Remove}}}); err != nil {
			return out, fmt.Errorf("give %s back to %s: %w", strings.Join(r.Remove, ", "), r.DN, err)
		}
		out.Messages = append(out.Messages, fmt.Sprintf("gave %s back to %s", strings.Join(r.Remove, ", "), r.DN))
	}
	return out, nil
}

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

func sortedFold(in []string) []string {
	out := append([]string(nil), in...)
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i]) < strings.ToLower(out[j]) })
	return out
}
