package exchange

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

// TicketPurge is the exchange.ticket_purge action: before the queues are
// retried, a sending server's cached Kerberos tickets are purged, since a
// cached ticket still carries the old state (one issued for the wrong
// account keeps failing with KRB_AP_ERR_MODIFIED after the SPN is fixed,
// until it expires, ten hours by default). The Exchange Transport service
// runs as NETWORK SERVICE, which presents the computer account like
// SYSTEM does: both sessions are purged (klist -li 0x3e7 purge, klist -li
// 0x3e4 purge). A purge is planned when the server's queues show the 454
// 4.7.0 symptom and it holds SMTPSVC service tickets; the next
// authentication asks the KDC again.
type TicketPurge struct{}

var _ actions.Action = TicketPurge{}

// purgedLogons are the logon sessions purged: SYSTEM and NETWORK SERVICE.
var purgedLogons = []string{ops.LogonSystem, ops.LogonNetworkService}

// Schema implements actions.Action.
func (TicketPurge) Schema() actions.Schema {
	return actions.Schema{
		Description: "Purges a sending Exchange server's cached Kerberos tickets while its queues hold 454 4.7.0, so that new tickets carry the fixed state.",
		Attributes: []actions.Attribute{
			{Name: "server", Type: cty.String, Description: "Exchange server name; default: the host's NetBIOS name."},
			{Name: "kb_step", Type: cty.String, Default: cty.StringVal("6")},
		},
	}
}

// ticketState is the symptom and the SMTPSVC tickets held, as
// "<logon> <server principal>".
type ticketState struct {
	Affected []string `json:"affected"`
	Tickets  []string `json:"tickets"`
}

// Probes implements actions.Action: the queues (the same read as the
// exchange.queue step's) and the tickets of both sessions.
func (TicketPurge) Probes(inst actions.Instance) ([]actions.Probe, error) {
	if noPath(inst.Host) != "" {
		return nil, nil
	}
	q, err := queueProbe(inst)
	if err != nil {
		return nil, err
	}
	s, err := ops.Lookup(ops.TicketsList)
	if err != nil {
		return nil, err
	}
	return []actions.Probe{q, {Name: "tickets", Shell: &actions.ShellProbe{Script: s, Args: ops.TicketsListArgs{LogonIDs: purgedLogons}}}}, nil
}

// Observe implements actions.Action.
func (TicketPurge) Observe(inst actions.Instance, r actions.Results) (actions.State, error) {
	st := ticketState{Affected: []string{}, Tickets: []string{}}
	if noPath(inst.Host) != "" {
		return st, nil
	}
	var queues ops.QueueGetResult
	if err := r.Decode("queues", &queues); err != nil {
		return nil, err
	}
	for _, q := range affected(queues.Queues).Affected {
		st.Affected = append(st.Affected, q.Identity)
	}
	var out ops.CommandOutput
	if err := r.Decode("tickets", &out); err != nil {
		return nil, err
	}
	if len(out.Commands) != len(purgedLogons) {
		return nil, actions.Errorf(actions.KindProtocol, actions.Permanent, inst.Host.Name, ops.TicketsList, "%d listings for %d logon sessions", len(out.Commands), len(purgedLogons))
	}
	for i, run := range out.Commands {
		if run.ExitCode != 0 {
			return nil, actions.Errorf(actions.KindScript, actions.Permanent, inst.Host.Name, ops.TicketsList, "%s exited with %d", run.Command, run.ExitCode)
		}
		tickets, err := ops.ParseKlistTickets(run.Output)
		if err != nil {
			return nil, actions.Errorf(actions.KindProtocol, actions.Permanent, inst.Host.Name, ops.TicketsList, "%v", err)
		}
		for _, t := range tickets {
			if ops.ServiceOf(t.Server) == "SMTPSVC" {
				st.Tickets = append(st.Tickets, purgedLogons[i]+" "+t.Server)
			}
		}
	}
	sort.Strings(st.Tickets)
	return st, nil
}

// Plan implements actions.Action.
func (TicketPurge) Plan(inst actions.Instance, current actions.State) (plans.Change, error) {
	st, ok := current.(ticketState)
	if !ok {
		return plans.Change{}, fmt.Errorf("unexpected state %T", current)
	}
	object := "Kerberos tickets of " + inst.Host.Name + " (SYSTEM, NETWORK SERVICE)"
	kb := inst.Config.String("kb_step")
	if why := noPath(inst.Host); why != "" {
		return plans.Change{Action: plans.Blocked, Object: object, KBStep: kb, Reason: "cannot read the queues that decide the purge: " + why}, nil
	}
	if len(st.Affected) == 0 || len(st.Tickets) == 0 {
		return plans.Change{Action: plans.NoOp, Object: object}, nil
	}
	var commands []string
	for _, id := range purgedLogons {
		commands = append(commands, "klist -li "+id+" purge")
	}
	payload, err := json.Marshal(ops.TicketsPurgeArgs{LogonIDs: purgedLogons})
	if err != nil {
		return plans.Change{}, err
	}
	return plans.Change{
		Action: plans.Run, Object: object, KBStep: kb,
		Attrs: []plans.Attr{{Name: "tickets", Before: st.Tickets}, {Name: "commands", After: commands}},
		Reason: fmt.Sprintf("KB 979174, before confirming step %s: queues %s hold 454 4.7.0 and the server holds SMTPSVC tickets; a cached ticket still carries the state it was issued in (a ticket for the wrong account keeps failing until it expires), so the tickets are purged and the next authentication asks the KDC again",
			kb, strings.Join(st.Affected, ", ")),
		Risk:    "low: services running as SYSTEM or NETWORK SERVICE ask the KDC for new tickets at their next authentication",
		Payload: payload,
	}, nil
}

// Apply implements actions.Action.
func (TicketPurge) Apply(ctx context.Context, inst actions.Instance, change plans.Change, conns actions.Connections) (actions.Outcome, error) {
	out, err := ops.Call[ops.CommandOutput]{Op: ops.TicketsPurge, Args: change.Payload, Mutates: true}.Run(ctx, conns, inst.Host.Name)
	if err != nil {
		return actions.Outcome{}, err
	}
	var msgs []string
	for _, run := range out.Commands {
		if run.ExitCode != 0 {
			return actions.Outcome{Messages: msgs}, actions.Errorf(actions.KindScript, actions.Permanent, inst.Host.Name, ops.TicketsPurge, "%s exited with %d", run.Command, run.ExitCode)
		}
		msgs = append(msgs, run.Command+": done")
	}
	return actions.Outcome{After: ticketState{Affected: []string{}, Tickets: []string{}}, Messages: msgs}, nil
}
