package windows

import (
	"context"
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
// reports what it finds as findings, changing nothing. Two presets carry the
// KB's knowledge: "kerberos_errors" (System log, Security-Kerberos errors by
// their EventData code, ignoring PREAUTH_REQUIRED and BADOPTION, which are
// normal) and "transport_1035" (Application log, MSExchangeTransport event
// 1035: inbound Exchange authentication failed).
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

type preset struct {
	log, provider string
	ids           []int
}

var presets = map[string]preset{
	"kerberos_errors": {log: "System", provider: "Microsoft-Windows-Security-Kerberos", ids: []int{3}},
	"transport_1035":  {log: "Application", provider: "MSExchangeTransport", ids: []int{1035}},
}

// Schema implements actions.Action.
func (EventQuery) Schema() actions.Schema {
	return actions.Schema{
		Description: "Reports events of interest from a Windows event log, as findings.",
		Attributes: []actions.Attribute{
			{Name: "preset", Type: cty.String, OneOf: []string{"kerberos_errors", "transport_1035"}, Description: "A known query; or set log, provider and ids."},
			{Name: "log", Type: cty.String},
			{Name: "provider", Type: cty.String},
			{Name: "ids", Type: cty.List(cty.Number)},
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
	d, err := lang.ParseDuration(inst.Config.String("since"))
	if err != nil {
		return a, err
	}
	// Whole hours, so that a plan and its apply ask the same question.
	a.Since = inst.Now.Add(-d).Truncate(time.Hour).UTC().Format(time.RFC3339)
	return a, nil
}

// Probes implements actions.Action.
func (EventQuery) Probes(inst actions.Instance) ([]actions.Probe, error) {
	s, err := ops.Lookup(ops.EventsQuery)
	if err != nil {
		return nil, err
	}
	q, err := query(inst)
	if err != nil {
		return nil, err
	}
	return []actions.Probe{{Name: "events", Shell: &actions.ShellProbe{Script: s, Args: q}}}, nil
}

// eventSummary groups findings: what happened, how often, when last.
type eventSummary struct {
	What  string `json:"what"`
	Count int    `json:"count"`
	Last  string `json:"last"`
}

type eventsState struct {
	Summaries []eventSummary `json:"summaries"`
}

// Observe implements actions.Action.
func (EventQuery) Observe(inst actions.Instance, r actions.Results) (actions.State, error) {
	var res ops.EventsQueryResult
	if err := r.Decode("events", &res); err != nil {
		return nil, err
	}
	kerberos := inst.Config.String("preset") == "kerberos_errors"
	groups := map[string]*eventSummary{}
	for _, e := range res.Events {
		what := fmt.Sprintf("event %d from %s", e.ID, e.Provider)
		if kerberos {
			code := strings.ToLower(firstOf(e.Data, "ErrorCode", "Status", "FailureCode"))
			if code == "" || ignoredCodes[code] {
				continue
			}
			meaning := kerberosCodes[code]
			if meaning == "" {
				meaning = "Kerberos error " + code
			}
			what = fmt.Sprintf("Kerberos %s %s", code, meaning)
			if target := firstOf(e.Data, "TargetName", "Server"); target != "" {
				what += " (target " + target + ")"
			}
		} else if e.Message != "" {
			what = fmt.Sprintf("event %d: %s", e.ID, firstLine(e.Message))
		}
		g := groups[what]
		if g == nil {
			g = &eventSummary{What: what}
			groups[what] = g
		}
		g.Count++
		if e.Time > g.Last {
			g.Last = e.Time
		}
	}
	st := eventsState{Summaries: []eventSummary{}}
	for _, g := range groups {
		st.Summaries = append(st.Summaries, *g)
	}
	sort.Slice(st.Summaries, func(i, j int) bool { return st.Summaries[i].What < st.Summaries[j].What })
	return st, nil
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

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(line)
}

// Plan implements actions.Action: findings only, never a change.
func (EventQuery) Plan(inst actions.Instance, current actions.State) (plans.Change, error) {
	st, ok := current.(eventsState)
	if !ok {
		return plans.Change{}, fmt.Errorf("unexpected state %T", current)
	}
	ch := plans.Change{Action: plans.NoOp, Object: "event log of " + inst.Host.Name, KBStep: inst.Config.String("kb_step")}
	for _, s := range st.Summaries {
		ch.Findings = append(ch.Findings, fmt.Sprintf("%d× %s, last at %s", s.Count, s.What, s.Last))
	}
	return ch, nil
}

// Apply implements actions.Action; the action plans no changes.
func (EventQuery) Apply(context.Context, actions.Instance, plans.Change, actions.Connections) (actions.Outcome, error) {
	return actions.Outcome{}, errors.New("windows.event_query only reads")
}
