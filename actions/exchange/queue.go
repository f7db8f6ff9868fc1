package exchange

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

// Queue is the exchange.queue action: the symptom check that confirms KB
// 979174's fixes. It finds the server's delivery queues whose last error
// is the 451 4.4.0 / 454 4.7.0 authentication failure and retries them
// once the fixes are in, so that verification proves the symptom gone (or
// shows it is not). Retry-Queue acts only on a queue in Retry status; a
// queue already Active or Ready is waited for, not retried; a Suspended
// one is an administrator's to resume. After the retry the op waits,
// bounded, for the attempt's outcome (Exchange sets a new retry time when
// no connection is made) before verification reads the queues again.
type Queue struct{}

var _ actions.Action = Queue{}

var (
	code451  = regexp.MustCompile(`\b451 4\.4\.0\b`)
	code454  = regexp.MustCompile(`\b454 4\.7\.0\b`)
	fqdnPart = regexp.MustCompile(`\{FQDN=([^}]*)\}`)
	ipPart   = regexp.MustCompile(`\{IP=([^}]*)\}`)
)

// The queue retry's wait, unless the step sets it.
const (
	defaultRetryWait = 2 * time.Minute
	defaultRetryPoll = 5 * time.Second
)

// Schema implements actions.Action.
func (Queue) Schema() actions.Schema {
	return actions.Schema{
		Description: "Retries the queues that hold 454 4.7.0 authentication failures and checks they clear.",
		Attributes: []actions.Attribute{
			{Name: "server", Type: cty.String, Description: "Exchange server name; default: the host's NetBIOS name."},
			{Name: "wait", Type: cty.String, Default: cty.StringVal("2m"), Description: "How long to wait, after Retry-Queue, for the outcome of the delivery attempt."},
			{Name: "poll", Type: cty.String, Default: cty.StringVal("5s"), Description: "How often to read the queues while waiting."},
			{Name: "kb_step", Type: cty.String, Default: cty.StringVal("6")},
		},
	}
}

var _ actions.Validator = Queue{}

// ValidateConfig implements actions.Validator.
func (Queue) ValidateConfig(cfg actions.Config) []actions.ConfigProblem {
	var out []actions.ConfigProblem
	for _, name := range []string{"wait", "poll"} {
		if d, err := time.ParseDuration(cfg.String(name)); cfg.Has(name) && (err != nil || d < time.Second || d > time.Hour) {
			out = append(out, actions.ConfigProblem{Attribute: name, Summary: "Invalid duration",
				Detail: name + ` must be a duration between 1s and 1h, such as "2m" or "10s".`})
		}
	}
	return out
}

func durationOf(cfg actions.Config, name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(cfg.String(name)); err == nil && d >= time.Second {
		return d
	}
	return def
}

// AffectedQueue is a queue that shows the symptom.
type AffectedQueue struct {
	Identity      string `json:"identity"`
	NextHopDomain string `json:"next_hop_domain"`
	// Target is the FQDN (or IP) the error names, when it names one.
	Target string `json:"target,omitempty"`
	// Error is the failure as rectify reads it ("451 4.4.0 / 454 4.7.0
	// Temporary authentication failure"): the queue's Last Error text also
	// carries times that change with every attempt.
	Error string `json:"error"`
	// Suspended is set for a queue an administrator suspended.
	Suspended bool `json:"suspended,omitempty"`
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

// queueProbe reads the server's queues through Exchange's endpoint; the
// ticket purge reads the same, so the engine reads them once.
func queueProbe(inst actions.Instance) (actions.Probe, error) {
	s, err := ops.Lookup(ops.QueueGet)
	if err != nil {
		return actions.Probe{}, err
	}
	return actions.Probe{Name: "queues", Shell: &actions.ShellProbe{Script: s, Args: ops.QueueGetArgs{Endpoint: endpointOf(inst.Host), Server: queueServer(inst)}}}, nil
}

// Probes implements actions.Action. A host whose session cannot reach
// Exchange's endpoint is not read: Plan refuses it.
func (Queue) Probes(inst actions.Instance) ([]actions.Probe, error) {
	if noPath(inst.Host) != "" {
		return nil, nil
	}
	p, err := queueProbe(inst)
	if err != nil {
		return nil, err
	}
	return []actions.Probe{p}, nil
}

func queueServer(inst actions.Instance) string {
	if s := inst.Config.String("server"); s != "" {
		return s
	}
	return ServerName(inst.Host)
}

// Observe implements actions.Action.
func (Queue) Observe(inst actions.Instance, r actions.Results) (actions.State, error) {
	if noPath(inst.Host) != "" {
		return queueState{Affected: []AffectedQueue{}}, nil
	}
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
			st.Affected = append(st.Affected, AffectedQueue{Identity: q.Identity, NextHopDomain: q.NextHopDomain, Target: target,
				Error: firstCode(q.LastError), Suspended: q.Status == ops.QueueStatusSuspended})
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
	object := "delivery queues on " + queueServer(inst)
	kb := inst.Config.String("kb_step")
	if why := noPath(inst.Host); why != "" {
		return plans.Change{Action: plans.Blocked, Object: object, KBStep: kb, Reason: "cannot read or retry the queues: " + why}, nil
	}
	if len(st.Affected) == 0 {
		return plans.Change{Action: plans.NoOp, Object: object}, nil
	}
	var ids, findings, suspended []string
	for _, q := range st.Affected {
		hop := q.NextHopDomain
		if q.Target != "" {
			hop = q.Target
		}
		findings = append(findings, fmt.Sprintf("%s to %s: %s", q.Identity, hop, q.Error))
		if q.Suspended {
			suspended = append(suspended, q.Identity)
			continue
		}
		ids = append(ids, q.Identity)
	}
	if len(suspended) > 0 {
		return plans.Change{Action: plans.Blocked, Object: object, KBStep: kb,
			Reason:   "suspended queues hold the 454 4.7.0 error: Retry-Queue does not act on them, and resuming them (Resume-Queue) is an administrator's decision",
			Attrs:    []plans.Attr{{Name: "suspended", Before: suspended}},
			Findings: findings}, nil
	}
	wait, poll := durationOf(inst.Config, "wait", defaultRetryWait), durationOf(inst.Config, "poll", defaultRetryPoll)
	payload, err := json.Marshal(ops.QueueRetryArgs{Server: queueServer(inst), Identities: ids, WaitSeconds: int(wait / time.Second), PollSeconds: int(poll / time.Second)})
	if err != nil {
		return plans.Change{}, err
	}
	return plans.Change{
		Action: plans.Run, Object: "Retry-Queue on " + queueServer(inst),
		Attrs:    []plans.Attr{{Name: "queues", After: ids}},
		Findings: append(findings, "write path: "+writePath(inst.Host)),
		KBStep:   kb,
		Reason: fmt.Sprintf("KB 979174, confirming step %s: after the fixes, retry the queues that failed with 454 4.7.0 (Retry-Queue acts on those in Retry; one already Active is waited for) and wait up to %s for the attempt's outcome",
			kb, wait),
		Risk:    "none: retrying only resumes delivery attempts",
		Payload: payload,
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

// Apply implements actions.Action. It retries the queues in Retry status,
// waits for the outcome, and reports which still hold the error;
// verification then plans again and shows the symptom as not converged if
// a cause remains.
func (Queue) Apply(ctx context.Context, inst actions.Instance, change plans.Change, conns actions.Connections) (actions.Outcome, error) {
	var args ops.QueueRetryArgs
	if err := json.Unmarshal(change.Payload, &args); err != nil {
		return actions.Outcome{}, fmt.Errorf("the planned change carries no readable payload: %w", err)
	}
	args.Endpoint, args.Credential = endpointOf(inst.Host), nil
	after, err := ops.Call[ops.QueueRetryResult]{Op: ops.QueueRetry, Args: args, Mutates: true}.Run(ctx, conns, inst.Host.Name)
	if err != nil {
		return actions.Outcome{}, err
	}
	st := affected(after.Queues)
	out := actions.Outcome{After: st}
	if len(after.Retried) > 0 {
		out.Messages = append(out.Messages, "Retry-Queue: "+strings.Join(after.Retried, ", "))
	}
	if !after.Settled {
		out.Messages = append(out.Messages, fmt.Sprintf("no outcome within %ds: a queue is still Active or waiting", args.WaitSeconds))
	}
	if len(st.Affected) == 0 {
		out.Messages = append(out.Messages, "queues retried: the 454 4.7.0 error is gone")
	}
	for _, q := range st.Affected {
		out.Messages = append(out.Messages, fmt.Sprintf("%s still fails: %s", q.Identity, q.Error))
	}
	return out, nil
}
