package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

// fakeFleet is an in-memory fleet: registry values per host, reached through
// a Shell that answers the batch, registry.get and registry.set ops.
type fakeFleet struct {
	mu       sync.Mutex
	values   map[string]map[string]any // host -> name -> data
	down     map[string]bool
	failSet  map[string]bool
	commands map[string]int
	sets     map[string]int
	// hold makes a host's commands wait until the channel is closed.
	hold map[string]chan struct{}
}

func newFakeFleet() *fakeFleet {
	return &fakeFleet{values: map[string]map[string]any{}, down: map[string]bool{}, failSet: map[string]bool{}, commands: map[string]int{},
		sets: map[string]int{}, hold: map[string]chan struct{}{}}
}

func (f *fakeFleet) set(host, name string, v any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.values[host] == nil {
		f.values[host] = map[string]any{}
	}
	f.values[host][name] = v
}

func (f *fakeFleet) get(host, name string) (any, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.values[host][name]
	return v, ok
}

func (f *fakeFleet) Shell(_ context.Context, host string) (ops.Shell, error) {
	return fakeShell{f: f, host: host}, nil
}
func (f *fakeFleet) Directory(context.Context, string) (actions.Directory, error) {
	return nil, errors.New("no directory in this fake")
}
func (f *fakeFleet) Prober() actions.Prober { return nil }

type fakeShell struct {
	f    *fakeFleet
	host string
}

func (s fakeShell) RunScript(_ context.Context, run ops.ScriptRun) (ops.ScriptResult, error) {
	s.f.mu.Lock()
	s.f.commands[s.host]++
	down := s.f.down[s.host]
	hold := s.f.hold[s.host]
	s.f.mu.Unlock()
	if hold != nil {
		<-hold
	}
	if down {
		return ops.ScriptResult{}, actions.Errorf(actions.KindConnect, actions.Retryable, s.host, run.Script.Op, "connection refused")
	}
	out, err := s.op(run.Script.Op, run.Args)
	if err != nil {
		return ops.ScriptResult{ExitCode: 1, Stderr: err.Error()}, actions.Errorf(actions.KindScript, actions.Permanent, s.host, run.Script.Op, "%v", err)
	}
	b, _ := json.Marshal(out)
	return ops.ScriptResult{Output: b}, nil
}

func (s fakeShell) op(op string, args json.RawMessage) (any, error) {
	switch op {
	case ops.Batch:
		var a struct {
			Items []struct {
				ID     string          `json:"id"`
				Script string          `json:"script"`
				Args   json.RawMessage `json:"args"`
			} `json:"items"`
		}
		if err := json.Unmarshal(args, &a); err != nil {
			return nil, err
		}
		var res ops.BatchResult
		for _, it := range a.Items {
			name, _, _ := ops.ParseMarker(it.Script)
			out, err := s.op(name, it.Args)
			r := ops.BatchItemResult{ID: it.ID, OK: err == nil, Output: out}
			if err != nil {
				r.Error = err.Error()
			}
			res.Results = append(res.Results, r)
		}
		return res, nil
	case ops.RegistryGet:
		var a ops.RegistryGetArgs
		if err := json.Unmarshal(args, &a); err != nil {
			return nil, err
		}
		v, ok := s.f.get(s.host, a.Name)
		return ops.RegistryValue{KeyExists: true, Exists: ok, Kind: ops.KindDWord, Data: v}, nil
	case ops.RegistrySet:
		var a ops.RegistrySetArgs
		if err := json.Unmarshal(args, &a); err != nil {
			return nil, err
		}
		s.f.mu.Lock()
		fail := s.f.failSet[s.host]
		s.f.sets[s.host]++
		s.f.mu.Unlock()
		if fail {
			return nil, fmt.Errorf("access denied")
		}
		s.f.set(s.host, a.Name, a.Data)
		return ops.RegistryChange{}, nil
	}
	return nil, fmt.Errorf("The term '%s' is not recognized", op)
}

// valueAction wants registry value "name" to equal "value" on each target.
type valueAction struct{}

var _ actions.Action = valueAction{}

func (valueAction) Schema() actions.Schema {
	return actions.Schema{Attributes: []actions.Attribute{
		{Name: "name", Type: cty.String, Required: true},
		{Name: "value", Type: cty.Number, Required: true},
	}}
}

type valueState struct {
	Exists bool    `json:"exists"`
	Data   float64 `json:"data"`
}

func (valueAction) Probes(inst actions.Instance) ([]actions.Probe, error) {
	return []actions.Probe{{Name: "v", Shell: &actions.ShellProbe{
		Script: script(ops.RegistryGet),
		Args:   ops.RegistryGetArgs{Path: `HKLM:\SOFTWARE\Test`, Name: inst.Config.String("name")},
	}}}, nil
}

func (valueAction) Observe(_ actions.Instance, r actions.Results) (actions.State, error) {
	var v ops.RegistryValue
	if err := r.Decode("v", &v); err != nil {
		return nil, err
	}
	st := valueState{Exists: v.Exists}
	if f, ok := v.Data.(float64); ok {
		st.Data = f
	}
	return st, nil
}

func (valueAction) Plan(inst actions.Instance, s actions.State) (plans.Change, error) {
	st := s.(valueState)
	want := float64(inst.Config.Int("value"))
	switch {
	case !st.Exists:
		return plans.Change{Action: plans.Create, Object: inst.Config.String("name"), Attrs: []plans.Attr{{Name: "data", After: want}}}, nil
	case st.Data != want:
		return plans.Change{Action: plans.Update, Object: inst.Config.String("name"), Attrs: []plans.Attr{{Name: "data", Before: st.Data, After: want}}}, nil
	}
	return plans.Change{Action: plans.NoOp}, nil
}

func (valueAction) Apply(ctx context.Context, inst actions.Instance, ch plans.Change, conns actions.Connections) (actions.Outcome, error) {
	sh, err := conns.Shell(ctx, inst.Host.Name)
	if err != nil {
		return actions.Outcome{}, err
	}
	args, _ := json.Marshal(ops.RegistrySetArgs{Name: inst.Config.String("name"), Kind: ops.KindDWord, Data: inst.Config.Int("value")})
	_, err = sh.RunScript(ctx, ops.ScriptRun{Script: script(ops.RegistrySet), Args: args, Mutates: true})
	return actions.Outcome{}, err
}

// runAction plans a Run when triggered; it counts its runs.
type runAction struct{ runs *int }

func (runAction) Schema() actions.Schema { return actions.Schema{} }
func (runAction) Probes(actions.Instance) ([]actions.Probe, error) {
	return nil, nil
}
func (runAction) Observe(actions.Instance, actions.Results) (actions.State, error) {
	return map[string]bool{}, nil
}
func (runAction) Plan(inst actions.Instance, _ actions.State) (plans.Change, error) {
	if inst.Triggered {
		return plans.Change{Action: plans.Run, Object: "replication"}, nil
	}
	return plans.Change{Action: plans.NoOp}, nil
}
func (a runAction) Apply(context.Context, actions.Instance, plans.Change, actions.Connections) (actions.Outcome, error) {
	*a.runs++
	return actions.Outcome{}, nil
}

func config(name string, value int) actions.Config {
	return actions.NewConfig(cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal(name), "value": cty.NumberIntVal(int64(value))}))
}

var fixedNow = time.Date(2026, 11, 28, 22, 30, 0, 0, time.UTC)

// script is a stand-in for a library script: the fake dispatches on the
// marker only.
func script(op string) ops.Script {
	return ops.Script{Op: op, Version: 1, Text: "# rectify:op " + op + " v1\n"}
}

// mustWindow returns a change window or fails the test.
func mustWindow(t testing.TB, start string, d time.Duration, tz string) plans.Window {
	t.Helper()
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatal(err)
	}
	w, err := plans.NewWindow(start, d, loc)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// one is a rollout of one host at a time.
func one(t testing.TB) plans.Amount {
	t.Helper()
	a, err := plans.Hosts(1)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
