package ad

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/plans"
)

// SPNDuplicates is the ad.spn_duplicates action: the forest-wide scan that
// setspn -X -F does, over the Global Catalog with paged results, reported as
// findings. It changes nothing: which account should keep a duplicated SPN
// is a decision for a person. It runs once, from the step's first target.
type SPNDuplicates struct{}

var _ actions.Action = SPNDuplicates{}

// Schema implements actions.Action.
func (SPNDuplicates) Schema() actions.Schema {
	return actions.Schema{
		Description: "Reports service principal names held by more than one account in the forest.",
		Attributes: []actions.Attribute{
			{Name: "services", Type: cty.List(cty.String), Description: "Only report SPNs of these service classes (SMTP, SMTPSVC); default: all."},
			{Name: "page_size", Type: cty.Number, Default: cty.NumberIntVal(1000)},
			{Name: "kb_step", Type: cty.String, Default: cty.StringVal("3")},
		},
	}
}

func (SPNDuplicates) scans(inst actions.Instance) bool {
	return len(inst.Targets) == 0 || inst.Targets[0] == inst.Host.Name
}

// Probes implements actions.Action.
func (a SPNDuplicates) Probes(inst actions.Instance) ([]actions.Probe, error) {
	if !a.scans(inst) {
		return nil, nil
	}
	if inst.Host.Domain == "" {
		return nil, errors.New("the host has no domain in the inventory")
	}
	return []actions.Probe{{Name: "spns", Search: &actions.SearchProbe{Domain: inst.Host.Domain, Request: actions.SearchRequest{
		Scope: actions.ScopeSubtree, Filter: actions.Present{Attribute: "servicePrincipalName"},
		Attributes: []string{"sAMAccountName", "servicePrincipalName"}, GlobalCatalog: true, PageSize: int(inst.Config.Int("page_size")),
	}}}}, nil
}

// Duplicate is one SPN and the accounts holding it.
type Duplicate struct {
	SPN     string   `json:"spn"`
	Holders []string `json:"holders"`
}

type duplicatesState struct {
	Scanned    bool        `json:"scanned"`
	Accounts   int         `json:"accounts"`
	Duplicates []Duplicate `json:"duplicates"`
}

// Observe implements actions.Action.
func (a SPNDuplicates) Observe(inst actions.Instance, r actions.Results) (actions.State, error) {
	st := duplicatesState{Duplicates: []Duplicate{}}
	if !a.scans(inst) {
		return st, nil
	}
	entries, err := r.Entries("spns")
	if err != nil {
		return nil, err
	}
	st.Scanned, st.Accounts = true, len(entries)
	services := inst.Config.Strings("services")
	byValue := map[string]*Duplicate{}
	for _, e := range entries {
		name := e.Get("sAMAccountName")
		if name == "" {
			name = e.DN
		}
		for _, v := range e.Values("servicePrincipalName") {
			if len(services) > 0 {
				class, _, _ := strings.Cut(v, "/")
				if !containsFold(services, class) {
					continue
				}
			}
			k := strings.ToLower(v)
			d := byValue[k]
			if d == nil {
				d = &Duplicate{SPN: v}
				byValue[k] = d
			}
			if !containsFold(d.Holders, name) {
				d.Holders = append(d.Holders, name)
			}
		}
	}
	for _, d := range byValue {
		if len(d.Holders) > 1 {
			sort.Strings(d.Holders)
			st.Duplicates = append(st.Duplicates, *d)
		}
	}
	sort.Slice(st.Duplicates, func(i, j int) bool {
		return strings.ToLower(st.Duplicates[i].SPN) < strings.ToLower(st.Duplicates[j].SPN)
	})
	return st, nil
}

// Plan implements actions.Action: findings only.
func (SPNDuplicates) Plan(inst actions.Instance, current actions.State) (plans.Change, error) {
	st, ok := current.(duplicatesState)
	if !ok {
		return plans.Change{}, fmt.Errorf("unexpected state %T", current)
	}
	ch := plans.Change{Action: plans.NoOp, Object: "service principal names in the forest", KBStep: inst.Config.String("kb_step")}
	if !st.Scanned {
		return ch, nil
	}
	for _, d := range st.Duplicates {
		ch.Findings = append(ch.Findings, fmt.Sprintf("duplicate SPN %s held by %s", d.SPN, strings.Join(d.Holders, ", ")))
	}
	if len(st.Duplicates) > 0 {
		ch.Findings = append(ch.Findings, fmt.Sprintf("%d duplicate SPN(s) among %d accounts scanned; remove each from the account that should not hold it (setspn -D) after checking what runs under it", len(st.Duplicates), st.Accounts))
	}
	return ch, nil
}

// Apply implements actions.Action; the scan plans no changes.
func (SPNDuplicates) Apply(context.Context, actions.Instance, plans.Change, actions.Connections) (actions.Outcome, error) {
	return actions.Outcome{}, errors.New("ad.spn_duplicates only reports")
}
