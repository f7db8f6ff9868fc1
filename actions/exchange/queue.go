package exchange

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

// Queue is the exchange.queue action: the symptom check of KB 979174. It
// finds the server's delivery queues whose last error is the 451 4.4.0 /
// 454 4.7.0 authentication failure, and retries them once the fixes are in,
// so that verification proves the symptom is gone (or shows it is not).
type Queue struct{}

var _ actions.Action = Queue{}

var (
	code451  = regexp.MustCompile(`\b451 4\.4\.0\b`)
	code454  = regexp.MustCompile(`\b454 4\.7\.0\b`)
	fqdnPart = regexp.MustCompile(`\{FQDN=([^}]*)\}`)
	ipPart   = regexp.MustCompile(`\{IP=([^}]*)\}`)
)

// Schema implements actions.Action.
func (Queue) Schema() actions.Schema {
	return actions.Schema{
		Description: "Retries the queues that hold 454 4.7.0 authentication failures and checks they clear.",
		Attributes: []actions.Attribute{
			{Name: "server", Type: cty.String, Description: "Exchange server name; default: the host's NetBIOS name."},
			{Name: "kb_step", Type: cty.String, Default: cty.StringVal("7")},
		},
	}
}

// AffectedQueue is a queue that shows the symptom.
type AffectedQueue struct {
	Identity      string `json:"identity"`
	NextHopDomain string `json:"next_hop_domain"`
	// Target is the FQDN (or IP) the error names, when it names one.
	Target    string `json:"target,omitempty"`
	LastError string `json:"last_error"`
}

type queueState struct {
	Affected []AffectedQueue `json:"affected"`
}

// Symptom reports whether a queue's last error is the KB's failure, and the
// target it names.
func Symptom(lastError string) (bool, string) {
	if !code454.MatchString(lastError) {
		return false, ""
	}
	if m := fqdnPart.FindStringSubmatch(lastError); m != nil {
		return true, m[1]
	}
	if m := ipPart.FindStringSubmatch(lastError); m != nil {
		return true, m[1]
	}
	return true, ""
}

// Probes implements actions.Action.
func (Queue) Probes(inst actions.Instance) ([]actions.Probe, error) {
	s, err := ops.Lookup(ops.QueueGet)
	if err != nil {
		return nil, err
	}
	return []actions.Probe{{Name: "queues", Shell: &actions.ShellProbe{Script: s, Args: ops.QueueGetArgs{Server: queueServer(inst)}}}}, nil
}

func queueServer(inst actions.Instance) string {
	if s := inst.Config.String("server"); s != "" {
		return s
	}
	return ServerName(inst.Host)
}

// Observe implements actions.Action.
func (Queue) Observe(_ actions.Instance, r actions.Results) (actions.State, error) {
	var res ops.QueueGetResult
	if err := r.Decode("queues", &res); err != nil {
		return nil, err
	}
	return affected(res.Queues), nil
}

func affected(queues []ops.Queue) queueState {
	st := queueState{Affected: []AffectedQueue{}}
	for _, q := range queues {
		if ok, target := Symptom(q.LastError); ok {
			st.Affected = append(st.Affected, AffectedQueue{Identity: q.Identity, NextHopDomain: q.NextHopDomain, Target: target, LastError: q.LastError})
		}
	}
	sort.Slice(st.Affected, func(i, j int) bool { return st.Affected[i].Identity < st.Affected[j].Identity })
	return st
}

// Plan implements actions.Action.
func (Queue) Plan(inst actions.Instance, current actions.State) (plans.Change, error) {
	st, ok := current.(queueState)
	if !ok {
		return plans.Change{}, fmt.Errorf("unexpected state %T", current)
	}
	if len(st.Affected) == 0 {
		return plans.Change{Action: plans.NoOp, Object: "delivery queues on " + queueServer(inst)}, nil
	}
	ids := make([]string, len(st.Affected))
	var findings []string
	for i, q := range st.Affected {
		ids[i] = q.Identity
		hop := q.NextHopDomain
		if q.Target != "" {
			hop = q.Target
		}
		findings = append(findings, fmt.Sprintf("%s to %s: %s", q.Identity, hop, firstCode(q.LastError)))
	}
	payload, err := json.Marshal(ops.QueueRetryArgs{Server: queueServer(inst), Identities: ids})
	if err != nil {
		return plans.Change{}, err
	}
	return plans.Change{
		Action: plans.Run, Object: "Retry-Queue on " + queueServer(inst),
		Attrs:    []plans.Attr{{Name: "queues", After: ids}},
		Findings: findings,
		KBStep:   inst.Config.String("kb_step"),
		Reason:   "KB 979174: after the fixes, retry the queues that failed with 454 4.7.0 and confirm the error is gone",
		Risk:     "none: retrying only resumes delivery attempts",
		Payload:  payload,
	}, nil
}

func firstCode(lastError string) string {
	switch {
	case code451.MatchString(lastError) && code454.MatchString(lastError):
		return "451 4.4.0 / 454 4.7.0 Temporary authentication failure"
	case code454.MatchString(lastError):
		return "454 4.7.0 Temporary authentication failure"
	}
	return strings.TrimSpace(lastError)
}

// Apply implements actions.Action. It retries the queues and reports which
// still hold the error; verification then plans again and shows the
// symptom as not converged if a cause remains.
func (Queue) Apply(ctx context.Context, inst actions.Instance, change plans.Change, conns actions.Connections) (actions.Outcome, error) {
	s, err := ops.Lookup(ops.QueueRetry)
	if err != nil {
		return actions.Outcome{}, err
	}
	sh, err := conns.Shell(ctx, inst.Host.Name)
	if err != nil {
		return actions.Outcome{}, err
	}
	res, err := sh.RunScript(ctx, ops.ScriptRun{Script: s, Args: change.Payload, Mutates: true})
	if err != nil {
		return actions.Outcome{}, err
	}
	var after ops.QueueGetResult
	if err := json.Unmarshal(res.Output, &after); err != nil {
		return actions.Outcome{}, actions.Errorf(actions.KindProtocol, actions.Permanent, inst.Host.Name, s.Op, "malformed answer: %v", err)
	}
	st := affected(after.Queues)
	out := actions.Outcome{After: st}
	if len(st.Affected) == 0 {
		out.Messages = []string{"queues retried: the 454 4.7.0 error is gone"}
	}
	for _, q := range st.Affected {
		out.Messages = append(out.Messages, fmt.Sprintf("%s still fails: %s", q.Identity, firstCode(q.LastError)))
	}
	return out, nil
}
