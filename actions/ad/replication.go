package ad

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

// Replication is the ad.replication action (KB 979174 step 2): it reads
// repadmin /showrepl * /csv on each domain controller and reports failing
// inbound links with their error codes; it plans a forced
// repadmin /syncall <dc> /AdeP on a DC whose links fail (with /P, the
// source of the failing links: a push repairs what flows from it), and, when
// triggered (after SPN changes), once from one DC (push_from, default the
// first target), since /P pushes forest-wide. The plan lists the DCs and
// partitions the push touches.
type Replication struct{}

var _ actions.Action = Replication{}

// Schema implements actions.Action.
func (Replication) Schema() actions.Schema {
	return actions.Schema{
		Description: "Forces Active Directory replication when links fail or when triggered, and checks it.",
		Attributes: []actions.Attribute{
			{Name: "push_from", Type: cty.String, Description: "The DC that pushes a triggered replication; default: the step's first target."},
			{Name: "options", Type: cty.String, Default: cty.StringVal("AdeP"), Description: "repadmin /syncall options.", Check: func(v cty.Value) string {
				s := v.AsString()
				if s == "" || strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
					return "must be repadmin /syncall option letters such as AdeP"
				}
				return ""
			}},
			{Name: "kb_step", Type: cty.String, Default: cty.StringVal("2")},
		},
	}
}

// Probes implements actions.Action.
func (Replication) Probes(inst actions.Instance) ([]actions.Probe, error) {
	s, err := ops.Lookup(ops.ReplShow)
	if err != nil {
		return nil, err
	}
	return []actions.Probe{{Name: "showrepl", Shell: &actions.ShellProbe{Script: s, Args: ops.ReplShowArgs{}}}}, nil
}

// FailingLink is an inbound link whose last attempt failed.
type FailingLink struct {
	NamingContext string `json:"naming_context"`
	Source        string `json:"source"`
	Destination   string `json:"destination"`
	Failures      int    `json:"failures"`
	Status        int    `json:"status"`
}

type replState struct {
	DC       string        `json:"dc"`
	Failing  []FailingLink `json:"failing"`
	Contexts []string      `json:"contexts"`
	Partners []string      `json:"partners"`
}

// Observe implements actions.Action.
func (Replication) Observe(inst actions.Instance, r actions.Results) (actions.State, error) {
	var out ops.CommandOutput
	if err := r.Decode("showrepl", &out); err != nil {
		return nil, err
	}
	if len(out.Commands) == 0 {
		return nil, fmt.Errorf("repadmin /showrepl produced no output")
	}
	links, err := ops.ParseShowReplCSV(out.Commands[0].Output)
	if err != nil {
		return nil, fmt.Errorf("read repadmin /showrepl: %w", err)
	}
	dc := inst.Host.NetBIOS()
	// A push (/P) from this DC repairs the links it is the source of; a
	// pull repairs the links it is the destination of.
	push := strings.Contains(inst.Config.String("options"), "P")
	st := replState{DC: dc, Failing: []FailingLink{}, Contexts: []string{}, Partners: []string{}}
	contexts, partners := map[string]bool{}, map[string]bool{}
	for _, l := range links {
		mine, partner := strings.EqualFold(l.DestinationDSA, dc), l.SourceDSA
		if push {
			mine, partner = strings.EqualFold(l.SourceDSA, dc), l.DestinationDSA
		}
		if !mine {
			continue
		}
		contexts[l.NamingContext] = true
		partners[partner] = true
		if !l.OK() {
			st.Failing = append(st.Failing, FailingLink{NamingContext: l.NamingContext, Source: l.SourceDSA, Destination: l.DestinationDSA, Failures: l.Failures, Status: l.Status})
		}
	}
	for c := range contexts {
		st.Contexts = append(st.Contexts, c)
	}
	for p := range partners {
		st.Partners = append(st.Partners, p)
	}
	sort.Strings(st.Contexts)
	sort.Strings(st.Partners)
	sort.Slice(st.Failing, func(i, j int) bool {
		if st.Failing[i].NamingContext != st.Failing[j].NamingContext {
			return st.Failing[i].NamingContext < st.Failing[j].NamingContext
		}
		return st.Failing[i].Source < st.Failing[j].Source
	})
	return st, nil
}

// win32Messages names the replication errors the KB meets most.
var win32Messages = map[int]string{
	1722: "The RPC server is unavailable",
	1256: "The remote system is not available",
	8453: "Replication access was denied",
	8524: "The DSA operation is unable to proceed because of a DNS lookup failure",
	1908: "Could not find the domain controller for this domain",
	8606: "Insufficient attributes were given to create an object (lingering objects)",
}

func statusText(code int) string {
	if m, ok := win32Messages[code]; ok {
		return fmt.Sprintf("%d (0x%x): %s", code, code, m)
	}
	return fmt.Sprintf("%d (0x%x)", code, code)
}

type replPayload struct {
	DC      string `json:"dc"`
	Options string `json:"options"`
}

func pushFrom(inst actions.Instance) string {
	if p := inst.Config.String("push_from"); p != "" {
		return p
	}
	if len(inst.Targets) > 0 {
		return inst.Targets[0]
	}
	return inst.Host.Name
}

// Plan implements actions.Action.
func (Replication) Plan(inst actions.Instance, current actions.State) (plans.Change, error) {
	st, ok := current.(replState)
	if !ok {
		return plans.Change{}, fmt.Errorf("unexpected state %T", current)
	}
	options := inst.Config.String("options")
	object := fmt.Sprintf("repadmin /syncall %s /%s", st.DC, options)
	pusher := strings.EqualFold(pushFrom(inst), inst.Host.Name)
	var findings []string
	for _, f := range st.Failing {
		findings = append(findings, fmt.Sprintf("%s <- %s, %s: %d consecutive failure(s), last status %s", f.Destination, f.Source, f.NamingContext, f.Failures, statusText(f.Status)))
	}
	var reason string
	switch {
	case len(st.Failing) > 0:
		reason = fmt.Sprintf("KB 979174 step 2: %d replication link(s) from %s fail; a forced sync from it repairs them once their cause is gone", len(st.Failing), st.DC)
	case inst.Triggered && pusher:
		reason = "KB 979174 step 2: replicate the changes planned above (SPNs) to every domain controller before Exchange authenticates again"
	default:
		return plans.Change{Action: plans.NoOp, Object: object}, nil
	}
	payload, err := json.Marshal(replPayload{DC: st.DC, Options: options})
	if err != nil {
		return plans.Change{}, err
	}
	attrs := []plans.Attr{{Name: "partitions", After: st.Contexts}, {Name: "partners", After: st.Partners}}
	risk := "replication traffic between DCs"
	if strings.Contains(options, "e") && strings.Contains(options, "P") {
		risk = "pushes every partition from " + st.DC + " to its partners across all sites (forest-wide); replication traffic between DCs"
	}
	return plans.Change{
		Action: plans.Run, Object: object, KBStep: inst.Config.String("kb_step"),
		Attrs: attrs, Findings: findings, Reason: reason, Risk: risk,
		Undo:    "none: replication converges the DCs; it does not change data",
		Payload: payload,
	}, nil
}

// Apply implements actions.Action.
func (Replication) Apply(ctx context.Context, inst actions.Instance, change plans.Change, conns actions.Connections) (actions.Outcome, error) {
	var p replPayload
	if err := json.Unmarshal(change.Payload, &p); err != nil {
		return actions.Outcome{}, fmt.Errorf("the planned change carries no readable payload: %w", err)
	}
	s, err := ops.Lookup(ops.ReplSyncAll)
	if err != nil {
		return actions.Outcome{}, err
	}
	sh, err := conns.Shell(ctx, inst.Host.Name)
	if err != nil {
		return actions.Outcome{}, err
	}
	args, err := json.Marshal(ops.ReplSyncAllArgs{DC: p.DC, Options: p.Options})
	if err != nil {
		return actions.Outcome{}, err
	}
	res, err := sh.RunScript(ctx, ops.ScriptRun{Script: s, Args: args, Mutates: true})
	if err != nil {
		return actions.Outcome{}, err
	}
	var out ops.CommandOutput
	if err := json.Unmarshal(res.Output, &out); err != nil || len(out.Commands) == 0 {
		return actions.Outcome{}, actions.Errorf(actions.KindProtocol, actions.Permanent, inst.Host.Name, s.Op, "malformed answer")
	}
	text := out.Commands[0].Output
	sync, err := ops.ParseSyncAll(text)
	if err != nil {
		return actions.Outcome{Messages: []string{text}}, fmt.Errorf("read repadmin /syncall output: %w", err)
	}
	if !sync.OK {
		var msgs []string
		for _, e := range sync.Errors {
			m := fmt.Sprintf("%s: %s", e.Context, statusText(e.Code))
			if e.From != "" || e.To != "" {
				m += fmt.Sprintf(" (from %s to %s)", e.From, e.To)
			}
			msgs = append(msgs, m)
		}
		if len(msgs) == 0 {
			msgs = []string{"repadmin did not report success"}
		}
		return actions.Outcome{Messages: msgs}, actions.Errorf(actions.KindScript, actions.Permanent, inst.Host.Name, s.Op, "repadmin /syncall reported %d error(s): %s", len(sync.Errors), strings.Join(msgs, "; "))
	}
	return actions.Outcome{Messages: []string{"SyncAll terminated with no errors."}}, nil
}
