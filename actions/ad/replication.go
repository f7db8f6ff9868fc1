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

// Replication is the ad.replication action (KB 979174 step 2). Each domain
// controller reports and repairs only its own inbound replication, so
// nothing needs credentials beyond rectify's WinRM session:
//
//   - it reads the DC's inbound links on the DC itself
//     (repadmin /showrepl <DC> /csv); a DC repadmin cannot read is an
//     error of the instance, never a healthy DC;
//   - a failing inbound link is repaired by a pull on the DC
//     (repadmin /replicate <DC> <source> <naming context>);
//   - when triggered (after SPN changes), every DC other than the one that
//     took rectify's LDAP writes pulls the domain partition from that DC at
//     once, instead of waiting for change notification (15 seconds within
//     a site) or the site link's schedule (180 minutes between sites).
//
// With method = "push", a triggered replication is instead pushed from
// one DC to every partner (repadmin /syncall <DC> /<options>), which binds
// to the other DCs as the session's user: the plan blocks it on a host
// whose session has no delegated credentials.
type Replication struct{}

var (
	_ actions.Action    = Replication{}
	_ actions.Validator = Replication{}
)

// The replication methods.
const (
	methodPull = "pull"
	methodPush = "push"
)

// defaultSyncAllOptions are repadmin /syncall's options for a push: all
// partitions, DNs in messages, across sites, push.
const defaultSyncAllOptions = "AdeP"

// Schema implements actions.Action.
func (Replication) Schema() actions.Schema {
	return actions.Schema{
		Description: "Forces Active Directory replication when links fail or when triggered, each DC pulling what it lacks, and checks it.",
		Attributes: []actions.Attribute{
			{Name: "method", Type: cty.String, Default: cty.StringVal(methodPull), OneOf: []string{methodPull, methodPush},
				Description: `How a triggered replication spreads: "pull" (each DC pulls from the DC that took rectify's writes, on the DC itself) or "push" (repadmin /syncall from one DC, which needs Kerberos delegation).`},
			{Name: "push_from", Type: cty.String, Description: `With method = "push": the DC that pushes; default: the step's first target.`},
			{Name: "options", Type: cty.String, Description: `With method = "push": repadmin /syncall options; default AdeP.`, Check: func(v cty.Value) string {
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

// ValidateConfig implements actions.Validator: push_from and options
// belong to the push method.
func (Replication) ValidateConfig(cfg actions.Config) []actions.ConfigProblem {
	if cfg.String("method") == methodPush {
		return nil
	}
	var out []actions.ConfigProblem
	for _, name := range []string{"push_from", "options"} {
		if cfg.Has(name) {
			out = append(out, actions.ConfigProblem{Attribute: name, Summary: "Only with method = \"push\"",
				Detail: name + ` configures repadmin /syncall, which only method = "push" runs; each DC pulls by itself otherwise.`})
		}
	}
	return out
}

// Probes implements actions.Action: the DC's own inbound links, and the
// root DSE of rectify's directory connection to the DC's domain, which
// names the DC that takes rectify's LDAP writes.
func (Replication) Probes(inst actions.Instance) ([]actions.Probe, error) {
	s, err := ops.Lookup(ops.ReplShow)
	if err != nil {
		return nil, err
	}
	probes := []actions.Probe{{Name: "showrepl", Shell: &actions.ShellProbe{Script: s, Args: ops.ReplShowArgs{}}}}
	if inst.Host.Domain != "" {
		probes = append(probes, actions.Probe{Name: "writer", Search: &actions.SearchProbe{Domain: inst.Host.Domain, RootDSE: true}})
	}
	return probes, nil
}

// InboundLink is one inbound replication link of the DC, as its last
// attempt left it.
type InboundLink struct {
	NamingContext string `json:"naming_context"`
	Source        string `json:"source"`
	SourceSite    string `json:"source_site"`
	// Status is the Win32 status of the last attempt; 0 is success.
	Status int `json:"status"`
}

// replState is what the action observed of one DC. It holds no times or
// failure counts, which move by themselves, so that a plan stays valid
// until the links themselves change.
type replState struct {
	DC    string        `json:"dc"`
	Site  string        `json:"site,omitempty"`
	Links []InboundLink `json:"links"`
	// Writer is the DC that takes rectify's LDAP writes for the DC's
	// domain (the dnsHostName of rectify's directory connection), as a
	// computer name; "" when the inventory gives the DC no domain.
	Writer string `json:"writer,omitempty"`
	// DomainNC is that domain's naming context, where SPNs live.
	DomainNC string `json:"domain_nc,omitempty"`
}

// Observe implements actions.Action. A DC that repadmin could not read
// (an error row) is an error, never a healthy DC without links.
func (Replication) Observe(inst actions.Instance, r actions.Results) (actions.State, error) {
	var out ops.CommandOutput
	if err := r.Decode("showrepl", &out); err != nil {
		return nil, err
	}
	if len(out.Commands) == 0 {
		return nil, fmt.Errorf("repadmin /showrepl produced no output")
	}
	rows, err := ops.ParseShowReplCSV(out.Commands[0].Output)
	if err != nil {
		return nil, fmt.Errorf("read repadmin /showrepl: %w", err)
	}
	dc := inst.Host.NetBIOS()
	st := replState{DC: dc, Site: inst.Host.Site, Links: []InboundLink{}}
	for _, row := range rows {
		if row.Unread() {
			return nil, fmt.Errorf("repadmin could not read the replication status of %s: %s", row.DestinationDSA, row.Message)
		}
		if !strings.EqualFold(row.DestinationDSA, dc) {
			return nil, fmt.Errorf("repadmin on %s answered for %s, not for %s", inst.Host.Name, row.DestinationDSA, dc)
		}
		st.Links = append(st.Links, InboundLink{NamingContext: row.NamingContext, Source: strings.ToUpper(row.SourceDSA), SourceSite: row.SourceSite, Status: row.Status})
	}
	sort.Slice(st.Links, func(i, j int) bool {
		a, b := st.Links[i], st.Links[j]
		if a.NamingContext != b.NamingContext {
			return a.NamingContext < b.NamingContext
		}
		return a.Source < b.Source
	})
	if _, ok := r["writer"]; ok {
		entries, err := r.Entries("writer")
		if err != nil {
			return nil, fmt.Errorf("read the root DSE of %s (which DC takes rectify's writes): %w", inst.Host.Domain, err)
		}
		if len(entries) != 1 || entries[0].Get("dnsHostName") == "" || entries[0].Get("defaultNamingContext") == "" {
			return nil, fmt.Errorf("the root DSE of %s names no dnsHostName and defaultNamingContext", inst.Host.Domain)
		}
		st.Writer = (actions.Host{FQDN: entries[0].Get("dnsHostName")}).NetBIOS()
		st.DomainNC = entries[0].Get("defaultNamingContext")
	}
	return st, nil
}

// win32Messages names the replication errors the KB meets most.
var win32Messages = map[int]string{
	5:    "Access is denied",
	1722: "The RPC server is unavailable",
	1753: "There are no more endpoints available from the endpoint mapper (the partner's directory service is not running)",
	1256: "The remote system is not available",
	8440: "The naming context specified for this replication operation is invalid",
	8452: "The naming context is not replicated from the specified server",
	8453: "Replication access was denied",
	8524: "The DSA operation is unable to proceed because of a DNS lookup failure",
	1908: "Could not find the domain controller for this domain",
	8606: "Insufficient attributes were given to create an object (lingering objects)",
}

func statusText(code int) string {
	if m, ok := win32Messages[code]; ok {
		return fmt.Sprintf("%d (0x%x): %s", code, uint32(code), m)
	}
	return fmt.Sprintf("%d (0x%x)", code, uint32(code))
}

// replPayload is what Apply runs: the pulls on the DC itself, or a push.
type replPayload struct {
	DC string `json:"dc"`
	// Pulls are repadmin /replicate's sources and naming contexts.
	Pulls []ops.ReplPull `json:"pulls,omitempty"`
	// Options are repadmin /syncall's, for a push.
	Options string `json:"options,omitempty"`
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
	kb := inst.Config.String("kb_step")
	var pulls []ops.ReplPull
	var findings, reasons []string
	add := func(p ops.ReplPull) {
		for _, q := range pulls {
			if strings.EqualFold(q.Source, p.Source) && strings.EqualFold(q.NamingContext, p.NamingContext) {
				return
			}
		}
		pulls = append(pulls, p)
	}
	failing := 0
	for _, l := range st.Links {
		if l.Status == 0 {
			continue
		}
		failing++
		findings = append(findings, fmt.Sprintf("%s <- %s, %s: last attempt failed with %s", st.DC, l.Source, l.NamingContext, statusText(l.Status)))
		add(ops.ReplPull{Source: l.Source, NamingContext: l.NamingContext})
	}
	if failing > 0 {
		reasons = append(reasons, fmt.Sprintf("%d inbound replication link(s) of %s fail; %s pulls over each of them, which repairs it once its cause is gone", failing, st.DC, st.DC))
	}

	if inst.Triggered && inst.Config.String("method") == methodPush {
		if strings.EqualFold(pushFrom(inst), inst.Host.Name) {
			return planPush(inst, st, kb, findings)
		}
	} else if inst.Triggered {
		switch {
		case st.Writer == "":
			return plans.Change{Action: plans.Blocked, Object: "inbound replication of " + st.DC, KBStep: kb, Findings: findings,
				Reason: fmt.Sprintf("KB 979174 step 2: the inventory gives %s no domain, so rectify cannot tell which DC took its LDAP writes and from which DC %s must pull them; set the host's domain", inst.Host.Name, st.DC)}, nil
		case strings.EqualFold(st.Writer, st.DC):
			// The writes were made here: the other DCs pull from this one.
		default:
			direct := false
			var sources []string
			for _, l := range st.Links {
				if strings.EqualFold(l.NamingContext, st.DomainNC) {
					sources = append(sources, l.Source)
					direct = direct || strings.EqualFold(l.Source, st.Writer)
				}
			}
			if !direct {
				return plans.Change{Action: plans.Blocked, Object: "inbound replication of " + st.DC, KBStep: kb, Findings: findings,
					Attrs: []plans.Attr{{Name: "sources", After: sources}},
					Reason: fmt.Sprintf("KB 979174 step 2: the SPN changes are written on %s (rectify's LDAP server for %s), but %s does not replicate %s from %s (its sources: %s); it receives them through its sources on their schedule. Point the domain's ldap url at a DC that %s replicates from to force it",
						st.Writer, inst.Host.Domain, st.DC, st.DomainNC, st.Writer, strings.Join(sources, ", "), st.DC)}, nil
			}
			add(ops.ReplPull{Source: st.Writer, NamingContext: st.DomainNC})
			reasons = append(reasons, fmt.Sprintf("the SPN changes planned above are written on %s (rectify's LDAP server for %s); %s pulls them now rather than wait for replication (15 seconds within a site, up to the site link's interval, 180 minutes by default, between sites)", st.Writer, inst.Host.Domain, st.DC))
		}
	}

	object := "inbound replication of " + st.DC
	if len(pulls) == 0 {
		return plans.Change{Action: plans.NoOp, Object: object}, nil
	}
	commands := make([]string, len(pulls))
	for i, p := range pulls {
		commands[i] = fmt.Sprintf("repadmin /replicate %s %s %s", st.DC, p.Source, p.NamingContext)
	}
	payload, err := json.Marshal(replPayload{DC: st.DC, Pulls: pulls})
	if err != nil {
		return plans.Change{}, err
	}
	var sources []string
	for _, p := range pulls {
		if !containsFold(sources, p.Source) {
			sources = append(sources, p.Source)
		}
	}
	return plans.Change{
		Action: plans.Run, Object: object, KBStep: kb,
		Attrs:    []plans.Attr{{Name: "commands", After: commands}},
		Findings: findings,
		Reason:   "KB 979174 step 2: " + strings.Join(reasons, "; "),
		Risk:     fmt.Sprintf("replication traffic from %s to %s for the partitions listed; runs on %s only and changes no other DC", strings.Join(sources, ", "), st.DC, st.DC),
		Undo:     "none: replication converges the DCs; it does not change data",
		Payload:  payload,
	}, nil
}

// planPush plans repadmin /syncall on the pushing DC, or blocks it when
// the DC's session cannot authenticate to the partners.
func planPush(inst actions.Instance, st replState, kb string, findings []string) (plans.Change, error) {
	options := inst.Config.String("options")
	if options == "" {
		options = defaultSyncAllOptions
	}
	object := fmt.Sprintf("repadmin /syncall %s /%s", st.DC, options)
	if why := inst.Host.OnwardRefusal(ops.ReplSyncAll); why != "" {
		return plans.Change{Action: plans.Blocked, Object: object, KBStep: kb, Findings: findings,
			Reason: "KB 979174 step 2: not run: " + why + `; use method = "pull" (each DC pulls on itself), or Kerberos with delegation`}, nil
	}
	payload, err := json.Marshal(replPayload{DC: st.DC, Options: options})
	if err != nil {
		return plans.Change{}, err
	}
	risk := "replication traffic between DCs"
	if strings.Contains(options, "e") && strings.Contains(options, "P") {
		risk = "pushes every partition from " + st.DC + " to its partners across all sites (forest-wide), binding to each as rectify's account; replication traffic between DCs"
	}
	return plans.Change{
		Action: plans.Run, Object: object, KBStep: kb, Findings: findings,
		Attrs:   []plans.Attr{{Name: "commands", After: []string{object}}},
		Reason:  "KB 979174 step 2: replicate the changes planned above (SPNs) to every domain controller before Exchange authenticates again",
		Risk:    risk,
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
	if len(p.Pulls) > 0 {
		return applyPulls(ctx, inst, p, conns)
	}
	return applyPush(ctx, inst, p, conns)
}

// applyPulls runs the pulls on the DC and reports each one.
func applyPulls(ctx context.Context, inst actions.Instance, p replPayload, conns actions.Connections) (actions.Outcome, error) {
	out, err := ops.Call[ops.CommandOutput]{Op: ops.ReplReplicate, Args: ops.ReplReplicateArgs{Pulls: p.Pulls}, Mutates: true}.Run(ctx, conns, inst.Host.Name)
	if err != nil {
		return actions.Outcome{}, err
	}
	if len(out.Commands) != len(p.Pulls) {
		return actions.Outcome{}, actions.Errorf(actions.KindProtocol, actions.Permanent, inst.Host.Name, ops.ReplReplicate, "malformed answer: %d command(s) for %d pull(s)", len(out.Commands), len(p.Pulls))
	}
	var msgs, failed []string
	for i, run := range out.Commands {
		pull := p.Pulls[i]
		r := ops.ParseReplicate(run)
		if r.OK {
			msgs = append(msgs, fmt.Sprintf("%s pulled %s from %s", p.DC, pull.NamingContext, pull.Source))
			continue
		}
		m := fmt.Sprintf("%s could not pull %s from %s: ", p.DC, pull.NamingContext, pull.Source)
		if r.Status != 0 {
			m += statusText(r.Status)
		} else {
			m += fmt.Sprintf("repadmin exited with %d", r.ExitCode)
		}
		msgs = append(msgs, m)
		failed = append(failed, m)
	}
	if len(failed) > 0 {
		return actions.Outcome{Messages: msgs}, actions.Errorf(actions.KindScript, actions.Permanent, inst.Host.Name, ops.ReplReplicate, "%d of %d pull(s) failed: %s", len(failed), len(p.Pulls), strings.Join(failed, "; "))
	}
	return actions.Outcome{Messages: msgs}, nil
}

// applyPush runs repadmin /syncall on the pushing DC.
func applyPush(ctx context.Context, inst actions.Instance, p replPayload, conns actions.Connections) (actions.Outcome, error) {
	if why := inst.Host.OnwardRefusal(ops.ReplSyncAll); why != "" {
		return actions.Outcome{}, fmt.Errorf("not run: %s", why)
	}
	out, err := ops.Call[ops.CommandOutput]{Op: ops.ReplSyncAll, Args: ops.ReplSyncAllArgs{DC: p.DC, Options: p.Options}, Mutates: true}.Run(ctx, conns, inst.Host.Name)
	if err != nil {
		return actions.Outcome{}, err
	}
	if len(out.Commands) == 0 {
		return actions.Outcome{}, actions.Errorf(actions.KindProtocol, actions.Permanent, inst.Host.Name, ops.ReplSyncAll, "malformed answer: no command ran")
	}
	run := out.Commands[0]
	sync, err := ops.ParseSyncAll(run.Output)
	if err != nil {
		return actions.Outcome{Messages: []string{run.Output}}, fmt.Errorf("read repadmin /syncall output: %w", err)
	}
	if sync.OK && run.ExitCode == 0 {
		return actions.Outcome{Messages: []string{fmt.Sprintf("repadmin /syncall %s replicated %d partition(s) without errors", p.DC, len(sync.Partitions))}}, nil
	}
	var msgs []string
	for _, e := range sync.Errors {
		m := fmt.Sprintf("%s: %s", e.Context, statusText(e.Code))
		if e.From != "" || e.To != "" {
			m += fmt.Sprintf(" (from %s to %s)", e.From, e.To)
		}
		msgs = append(msgs, m)
	}
	if len(msgs) == 0 {
		msgs = []string{fmt.Sprintf("repadmin exited with %d", run.ExitCode)}
	}
	return actions.Outcome{Messages: msgs}, actions.Errorf(actions.KindScript, actions.Permanent, inst.Host.Name, ops.ReplSyncAll, "repadmin /syncall reported %d error(s): %s", len(sync.Errors), strings.Join(msgs, "; "))
}
