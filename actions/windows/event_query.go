package windows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/lang"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

// EventQuery is the windows.event_query action: it reads an event log and
// reports what it finds as findings, changing nothing. Two presets carry
// the KB's knowledge:
//
//   - "kerberos_errors": the System log's Kerberos client errors, event 3
//     by its EventData error code (ignoring PREAUTH_REQUIRED and BADOPTION,
//     which are normal) and event 4 (KRB_AP_ERR_MODIFIED: the server could
//     not decrypt the ticket), and, on the DCs named by against, the KDC's
//     event 11 (an SPN held by more than one account);
//   - "transport_1035": the Application log's MSExchangeTransport event
//     1035 (inbound Exchange authentication failed), naming the receive
//     connector that refused and the sender, from the event's insertion
//     strings.
//
// Events are told apart by provider, ID and EventData, never by their
// (localized) message text. A step triggered by another (triggered_by:
// the Kerberos LogLevel step, as the KB says to enable logging and then
// look again) plans a run when that step changes something: apply reads
// the log again then, after the change and the steps this one depends on,
// and reports what it finds.
type EventQuery struct{}

var _ actions.Action = EventQuery{}

// kerberosCodes names the Kerberos error codes the KB cares about.
var kerberosCodes = map[string]string{
	"0x7":  "KDC_ERR_S_PRINCIPAL_UNKNOWN: the SPN is missing or duplicated",
	"0x25": "KRB_AP_ERR_SKEW: the clocks are too far apart",
	"0x29": "KRB_AP_ERR_MODIFIED: the SPN is registered on the wrong account",
	"0x18": "KDC_ERR_PREAUTH_FAILED: wrong password or stale credentials",
}

// ignoredCodes are Kerberos codes that occur in healthy domains.
var ignoredCodes = map[string]bool{"0x19": true, "0xd": true}

// Event sources and IDs the presets read.
const (
	providerKerberos  = "Microsoft-Windows-Security-Kerberos"
	providerKDC       = "Microsoft-Windows-Kerberos-Key-Distribution-Center"
	providerTransport = "MSExchangeTransport"
	eventKerberosErr  = 3
	eventAPModified   = 4
	eventDuplicateKDC = 11
	eventInbound1035  = 1035
)

type preset struct {
	log, provider string
	ids           []int
}

var presets = map[string]preset{
	"kerberos_errors": {log: "System", provider: providerKerberos, ids: []int{eventKerberosErr, eventAPModified}},
	"transport_1035":  {log: "Application", provider: providerTransport, ids: []int{eventInbound1035}},
}

// kdcQuery is what the kerberos_errors preset reads on each DC.
var kdcQuery = preset{log: "System", provider: providerKDC, ids: []int{eventDuplicateKDC}}

// Schema implements actions.Action.
func (EventQuery) Schema() actions.Schema {
	return actions.Schema{
		Description: "Reports events of interest from a Windows event log, as findings.",
		Attributes: []actions.Attribute{
			{Name: "preset", Type: cty.String, OneOf: []string{"kerberos_errors", "transport_1035"}, Description: "A known query; or set log, provider and ids."},
			{Name: "log", Type: cty.String},
			{Name: "provider", Type: cty.String},
			{Name: "ids", Type: cty.List(cty.Number)},
			{Name: "against", Hosts: true, Description: "Domain controllers whose KDC events (event 11, duplicate names) kerberos_errors reads too: those of the target's site when sites are known."},
			{Name: "since", Type: cty.String, Default: cty.StringVal("24h"), Check: checkDuration, Description: "How far back to look."},
			{Name: "max", Type: cty.Number, Default: cty.NumberIntVal(200)},
			{Name: "kb_step", Type: cty.String, Default: cty.StringVal("5")},
		},
	}
}

func query(inst actions.Instance) (ops.EventsQueryArgs, error) {
	a := ops.EventsQueryArgs{Log: inst.Config.String("log"), Provider: inst.Config.String("provider"), Max: int(inst.Config.Int("max"))}
	if p, ok := presets[inst.Config.String("preset")]; ok {
		a.Log, a.Provider, a.IDs = p.log, p.provider, p.ids
	}
	if v := inst.Config.Raw("ids"); v.IsKnown() && !v.IsNull() {
		a.IDs = nil
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			i, _ := e.AsBigFloat().Int64()
			a.IDs = append(a.IDs, int(i))
		}
	}
	if a.Log == "" || a.Provider == "" {
		return a, errors.New("set preset, or log and provider")
	}
	since, err := sinceOf(inst)
	if err != nil {
		return a, err
	}
	a.Since = since
	return a, nil
}

// sinceOf is the start of the window the query looks at, in whole hours
// so that a plan and its apply ask the same question.
func sinceOf(inst actions.Instance) (string, error) {
	d, err := lang.ParseDuration(inst.Config.String("since"))
	if err != nil {
		return "", err
	}
	return inst.Now.Add(-d).Truncate(time.Hour).UTC().Format(time.RFC3339), nil
}

// Probes implements actions.Action: the target's log, and for
// kerberos_errors the KDC log of each DC it names.
func (EventQuery) Probes(inst actions.Instance) ([]actions.Probe, error) {
	s, err := ops.Lookup(ops.EventsQuery)
	if err != nil {
		return nil, err
	}
	q, err := query(inst)
	if err != nil {
		return nil, err
	}
	ps := []actions.Probe{{Name: "events", Shell: &actions.ShellProbe{Script: s, Args: q}}}
	if inst.Config.String("preset") == "kerberos_errors" {
		for _, dc := range inst.SiteHosts("against") {
			kq := ops.EventsQueryArgs{Log: kdcQuery.log, Provider: kdcQuery.provider, IDs: kdcQuery.ids, Since: q.Since, Max: q.Max}
			ps = append(ps, actions.Probe{Name: "kdc:" + dc.Name, Shell: &actions.ShellProbe{Host: dc.Name, Script: s, Args: kq}})
		}
	}
	return ps, nil
}

// eventSummary groups findings: what happened, how often, when last.
type eventSummary struct {
	What  string `json:"what"`
	Count int    `json:"count"`
	Last  string `json:"last"`
}

// eventsState is what was asked of which logs; what the logs hold is
// shown as findings but left out of the encoded state: events keep
// arriving, and an action that changes nothing has no target to go stale.
type eventsState struct {
	Query     string         `json:"query"`
	Summaries []eventSummary `json:"-"`
}

// Observe implements actions.Action.
func (EventQuery) Observe(inst actions.Instance, r actions.Results) (actions.State, error) {
	var res ops.EventsQueryResult
	if err := r.Decode("events", &res); err != nil {
		return nil, err
	}
	q, err := query(inst)
	if err != nil {
		return nil, err
	}
	st := eventsState{Query: fmt.Sprintf("%s log, %s, events %v", q.Log, q.Provider, q.IDs), Summaries: []eventSummary{}}
	groups := map[string]*eventSummary{}
	add := func(what, at string) {
		g := groups[what]
		if g == nil {
			g = &eventSummary{What: what}
			groups[what] = g
		}
		g.Count++
		if at > g.Last {
			g.Last = at
		}
	}
	preset := inst.Config.String("preset")
	for _, e := range res.Events {
		if what, ok := describe(inst, preset, e); ok {
			add(what, e.Time)
		}
	}
	if preset == "kerberos_errors" {
		var dcs []string
		for _, dc := range inst.SiteHosts("against") {
			dcs = append(dcs, dc.Name)
			var kdc ops.EventsQueryResult
			if err := r.Decode("kdc:"+dc.Name, &kdc); err != nil {
				return nil, fmt.Errorf("read the KDC events of %s: %w", dc.Name, err)
			}
			for _, e := range kdc.Events {
				if e.ID == eventDuplicateKDC && strings.EqualFold(e.Provider, providerKDC) {
					add(fmt.Sprintf("KDC of %s: duplicate name %s (%s): more than one account holds it", dc.Name, dataOf(e, "param1"), dataOf(e, "param2")), e.Time)
				}
			}
		}
		if len(dcs) > 0 {
			st.Query += "; " + providerKDC + " event 11 on " + strings.Join(dcs, ", ")
		}
	}
	for _, g := range groups {
		st.Summaries = append(st.Summaries, *g)
	}
	sort.Slice(st.Summaries, func(i, j int) bool { return st.Summaries[i].What < st.Summaries[j].What })
	return st, nil
}

// describe says what one event means, from its provider, ID and EventData
// only; ok is false for an event that is normal.
func describe(inst actions.Instance, preset string, e ops.Event) (string, bool) {
	switch {
	case preset == "kerberos_errors" && e.ID == eventKerberosErr:
		code := strings.ToLower(firstOf(e.Data, "ErrorCode", "Status", "FailureCode"))
		if code == "" || ignoredCodes[code] {
			return "", false
		}
		meaning := kerberosCodes[code]
		if meaning == "" {
			meaning = "Kerberos error " + code
		}
		what := fmt.Sprintf("Kerberos %s %s", code, meaning)
		if target := firstOf(e.Data, "TargetName", "ServerName"); target != "" {
			what += " (target " + target + ")"
		}
		return what, true
	case preset == "kerberos_errors" && e.ID == eventAPModified:
		return fmt.Sprintf("Kerberos KRB_AP_ERR_MODIFIED (event 4): %s could not decrypt the ticket for %s; the SPN is registered on another account than the one the service runs as, or a ticket issued before the fix is still cached",
			firstOf(e.Data, "Server", "param1"), firstOf(e.Data, "Targetname", "TargetName", "param3")), true
	case preset == "transport_1035" && e.ID == eventInbound1035:
		// Insertion strings: the error, the receive connector, the
		// authentication mechanism, the sender's address.
		sender := dataOf(e, "param4")
		if name := hostAt(inst, sender); name != "" {
			sender += " (" + name + ")"
		}
		return fmt.Sprintf("event 1035: receive connector %q refused %s authentication from %s (%s)", dataOf(e, "param2"), dataOf(e, "param3"), sender, dataOf(e, "param1")), true
	}
	return fmt.Sprintf("event %d from %s", e.ID, e.Provider), true
}

// hostAt names the inventory host (among the step's targets) with address
// ip, or "".
func hostAt(inst actions.Instance, ip string) string {
	if ip == "" || inst.Topology == nil {
		return ""
	}
	for _, name := range inst.Targets {
		if h, ok := inst.Topology.Host(name); ok && h.Address == ip {
			return h.Name
		}
	}
	return ""
}

func dataOf(e ops.Event, key string) string {
	if v := firstOf(e.Data, key); v != "" {
		return v
	}
	return "?"
}

func firstOf(data map[string]string, keys ...string) string {
	for _, k := range keys {
		for dk, v := range data {
			if strings.EqualFold(dk, k) && v != "" {
				return v
			}
		}
	}
	return ""
}

// findings are the summaries as the plan shows them.
func (st eventsState) findings() []string {
	var out []string
	for _, s := range st.Summaries {
		out = append(out, fmt.Sprintf("%d× %s, last at %s", s.Count, s.What, s.Last))
	}
	return out
}

// Plan implements actions.Action: findings only; a triggered step plans a
// run that reads the log again at apply.
func (EventQuery) Plan(inst actions.Instance, current actions.State) (plans.Change, error) {
	st, ok := current.(eventsState)
	if !ok {
		return plans.Change{}, fmt.Errorf("unexpected state %T", current)
	}
	object := "event log of " + inst.Host.Name
	if !inst.Triggered {
		return plans.Change{Action: plans.NoOp, Object: object, KBStep: inst.Config.String("kb_step"), Findings: st.findings()}, nil
	}
	reason := "a step this one is triggered by changes something: the log is read again after it, and after the steps this one depends on"
	if inst.Config.String("preset") == "kerberos_errors" {
		reason = "KB 979174 step 5: the Kerberos client logs its errors only while Kerberos logging (LogLevel, KB 262177) is on, which a step this one is triggered by changes now; the System log is read again after it, and after the steps this one depends on"
	}
	return plans.Change{
		Action: plans.Run, Object: object, KBStep: inst.Config.String("kb_step"),
		Attrs:    []plans.Attr{{Name: "reads", Before: st.Query}},
		Reason:   reason,
		Risk:     "none: it only reads",
		Undo:     "none needed: nothing changes",
		Findings: st.findings(),
		Payload:  json.RawMessage(`{}`),
	}, nil
}

// Apply implements actions.Action: the triggered read. It reads the logs
// now and reports what they hold.
func (EventQuery) Apply(ctx context.Context, inst actions.Instance, _ plans.Change, conns actions.Connections) (actions.Outcome, error) {
	probes, err := EventQuery{}.Probes(inst)
	if err != nil {
		return actions.Outcome{}, err
	}
	r := actions.Results{}
	for _, p := range probes {
		host := p.Shell.Host
		if host == "" {
			host = inst.Host.Name
		}
		out, err := ops.Call[json.RawMessage]{Script: &p.Shell.Script, Args: p.Shell.Args, SensitiveArgs: p.Shell.Sensitive}.Run(ctx, conns, host)
		if err != nil {
			return actions.Outcome{}, err
		}
		r[p.Name] = actions.Result{Output: out}
	}
	state, err := EventQuery{}.Observe(inst, r)
	if err != nil {
		return actions.Outcome{}, err
	}
	st := state.(eventsState)
	since, _ := sinceOf(inst)
	out := actions.Outcome{After: st, Messages: st.findings()}
	if len(out.Messages) == 0 {
		out.Messages = []string{fmt.Sprintf("no matching events since %s (%s)", since, st.Query)}
	}
	return out, nil
}
