package engine

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/lang"
	"github.com/rectifyhq/rectify/ops"
	"github.com/rectifyhq/rectify/plans"
)

// TestEditedChangeIsRefusedWhole edits what a saved plan's change would
// write: apply re-plans every instance first and refuses the whole plan,
// so no host is changed, not even those whose changes are intact.
func TestEditedChangeIsRefusedWhole(t *testing.T) {
	ctx := context.Background()
	hs := hosts(3)
	fleet := newFakeFleet()
	runs := 0
	e := newEngine(&runs)
	in := testInput(hs, &runs)
	p, err := e.Plan(ctx, in, fleet)
	if err != nil {
		t.Fatal(err)
	}
	for i := range p.Instances {
		if p.Instances[i].Address == "step.b[h03]" {
			p.Instances[i].Change.Attrs[0].After = 99.0
		}
	}
	_, err = e.Apply(ctx, p, fleet, applyOpts(in))
	var re *ReviewError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "step.b[h03]: the attributes of the create differ") {
		t.Fatalf("apply of an edited plan: %v", err)
	}
	for _, h := range hs {
		if fleet.sets[h.Name] != 0 {
			t.Errorf("%s was changed by a refused plan", h.Name)
		}
	}
}

// hourAction wants value "hour" to be the hour of the instance's Now: a
// change whose payload depends on when it is planned.
type hourAction struct{ valueAction }

func (hourAction) Plan(inst actions.Instance, s actions.State) (plans.Change, error) {
	st := s.(valueState)
	want := float64(inst.Now.Hour())
	if st.Exists && st.Data == want {
		return plans.Change{Action: plans.NoOp}, nil
	}
	payload, _ := json.Marshal(map[string]float64{"data": want})
	return plans.Change{Action: plans.Create, Object: "hour", Payload: payload}, nil
}

func (hourAction) Apply(ctx context.Context, inst actions.Instance, ch plans.Change, conns actions.Connections) (actions.Outcome, error) {
	var p struct{ Data float64 }
	if err := json.Unmarshal(ch.Payload, &p); err != nil {
		return actions.Outcome{}, err
	}
	sh, err := conns.Shell(ctx, inst.Host.Name)
	if err != nil {
		return actions.Outcome{}, err
	}
	args, _ := json.Marshal(ops.RegistrySetArgs{Name: "hour", Kind: ops.KindDWord, Data: p.Data})
	_, err = sh.RunScript(ctx, ops.ScriptRun{Script: script(ops.RegistrySet), Args: args, Mutates: true})
	return actions.Outcome{}, err
}

// clockFleet moves the engine's clock on an hour once the first change is
// made.
type clockFleet struct {
	*fakeFleet
	mu  sync.Mutex
	now time.Time
}

func (c *clockFleet) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clockFleet) Shell(ctx context.Context, host string) (ops.Shell, error) {
	inner, _ := c.fakeFleet.Shell(ctx, host)
	return clockShell{inner: inner, c: c}, nil
}

type clockShell struct {
	inner ops.Shell
	c     *clockFleet
}

func (s clockShell) RunScript(ctx context.Context, run ops.ScriptRun) (ops.ScriptResult, error) {
	res, err := s.inner.RunScript(ctx, run)
	if run.Mutates {
		s.c.mu.Lock()
		s.c.now = s.c.now.Add(time.Hour)
		s.c.mu.Unlock()
	}
	return res, err
}

// TestChangeThatDiffersAtItsTurnIsNotMade: the target has not moved, but
// what the playbook calls for has (here: with the time) between the
// review and the change: the change is left alone as differing, and what
// runs is never the plan file's payload.
func TestChangeThatDiffersAtItsTurnIsNotMade(t *testing.T) {
	ctx := context.Background()
	hs := hosts(2)
	fleet := &clockFleet{fakeFleet: newFakeFleet(), now: fixedNow}
	e := &Engine{Registry: actions.NewRegistry(), Now: fleet.Now}
	in := Input{
		Playbook: plans.PlaybookRef{Name: "t", Digest: "sha256:p"}, Inventory: plans.InventoryRef{Digest: "sha256:i"},
		Steps:   []Step{{Name: "hour", ActionID: "test.hour", Action: hourAction{}, Targets: names(hs), Config: config("hour", 0)}},
		Rollout: plans.Rollout{Serial: one(t), MaxFail: 2},
		Hosts:   hs,
	}
	p, err := e.Plan(ctx, in, fleet)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Apply(ctx, p, fleet, applyOpts(in))
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]plans.Status{}
	for _, c := range res.Changes {
		status[c.Address] = c.Status
	}
	if status["step.hour[h01]"] != plans.Applied || status["step.hour[h02]"] != plans.Differs {
		t.Errorf("statuses %v, want h01 applied and h02 differs", status)
	}
	if fleet.sets["h02"] != 0 {
		t.Errorf("the change that differs from the plan was made")
	}
	if res.OK() {
		t.Errorf("an apply with a change not made reports OK")
	}
}

// secretAction writes a sensitive configuration value: it marks it in the
// payload and its attribute, unless forget is set.
type secretAction struct {
	valueAction
	forget bool
}

func (secretAction) Schema() actions.Schema {
	return actions.Schema{Attributes: []actions.Attribute{{Name: "name", Type: cty.String}, {Name: "value", Type: cty.String}}}
}

func (a secretAction) Plan(inst actions.Instance, s actions.State) (plans.Change, error) {
	if s.(valueState).Exists {
		return plans.Change{Action: plans.NoOp}, nil
	}
	v := inst.Config.String("value")
	var data any = plans.Sensitive{Value: v}
	if a.forget {
		data = v
	}
	payload, _ := json.Marshal(map[string]any{"name": inst.Config.String("name"), "data": data})
	return plans.Change{Action: plans.Create, Object: inst.Config.String("name"), Payload: payload,
		Attrs: []plans.Attr{{Name: "data", After: v, Sensitive: !a.forget}}}, nil
}

func (secretAction) Apply(ctx context.Context, inst actions.Instance, ch plans.Change, conns actions.Connections) (actions.Outcome, error) {
	var p struct{ Name, Data string }
	if err := json.Unmarshal(ch.Payload, &p); err != nil {
		return actions.Outcome{}, err
	}
	sh, err := conns.Shell(ctx, inst.Host.Name)
	if err != nil {
		return actions.Outcome{}, err
	}
	args, _ := json.Marshal(ops.RegistrySetArgs{Name: p.Name, Kind: ops.KindString, Data: p.Data})
	_, err = sh.RunScript(ctx, ops.ScriptRun{Script: script(ops.RegistrySet), Args: args, Mutates: true})
	return actions.Outcome{}, err
}

// TestSensitiveValuesAreOnlyHashedInThePlan: an action that marks its
// secret gets it hashed in the plan and sent as it is; one that forgets to
// mark it is not planned at all rather than recorded in clear.
func TestSensitiveValuesAreOnlyHashedInThePlan(t *testing.T) {
	const secret = "s3cret-in-a-payload"
	ctx := context.Background()
	for _, forget := range []bool{false, true} {
		hs := hosts(1)
		fleet := newFakeFleet()
		e := &Engine{Registry: actions.NewRegistry(), Now: func() time.Time { return fixedNow }}
		cfg := actions.NewConfig(cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("pw"), "value": cty.StringVal(secret).Mark(lang.Sensitive)}))
		in := Input{
			Playbook: plans.PlaybookRef{Name: "t", Digest: "sha256:p"}, Inventory: plans.InventoryRef{Digest: "sha256:i"},
			Steps: []Step{{Name: "pw", ActionID: "test.secret", Action: secretAction{forget: forget}, Targets: names(hs), Config: cfg}},
			Hosts: hs,
		}
		p, err := e.Plan(ctx, in, fleet)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(p)
		if strings.Contains(string(b), secret) {
			t.Fatalf("forget %v: the plan holds the secret: %s", forget, b)
		}
		if forget {
			if p.Instances[0].Error == "" || p.Instances[0].Change.Action.Changes() {
				t.Errorf("an unmarked secret was planned: %+v", p.Instances[0])
			}
			continue
		}
		if !strings.Contains(string(p.Instances[0].Change.Payload), "hmac-sha256:") {
			t.Errorf("the payload keeps no hash of the secret: %s", p.Instances[0].Change.Payload)
		}
		res, err := e.Apply(ctx, p, fleet, applyOpts(in))
		if err != nil || !res.OK() {
			t.Fatalf("apply: %v %+v", err, res)
		}
		if v, _ := fleet.get("h01", "pw"); v != secret {
			t.Errorf("the host received %v, want the secret itself", v)
		}
		// Another secret now is not what was reviewed.
		fleet = newFakeFleet()
		in.Steps[0].Config = actions.NewConfig(cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("pw"), "value": cty.StringVal("other").Mark(lang.Sensitive)}))
		var re *ReviewError
		if _, err := e.Apply(ctx, p, fleet, applyOpts(in)); !errors.As(err, &re) {
			t.Errorf("apply with another secret than the plan's: %v", err)
		}
	}
}

// TestStepsMovedInTheirFileAreTheSameSteps: the plan records where each
// step is declared, and apply takes a playbook whose steps moved within
// their files (a comment added above them) as the same playbook; the
// plan's steps otherwise differing is still refused.
func TestStepsMovedInTheirFileAreTheSameSteps(t *testing.T) {
	ctx := context.Background()
	hs := hosts(2)
	fleet := newFakeFleet()
	runs := 0
	e := newEngine(&runs)
	in := testInput(hs, &runs)
	for i := range in.Steps {
		in.Steps[i].Source = &plans.SourceRange{File: "/pb/playbook.hcl", Start: plans.SourcePos{Line: 10 * (i + 1), Column: 1}, End: plans.SourcePos{Line: 10 * (i + 1), Column: 20, Byte: 19}}
	}
	p, err := e.Plan(ctx, in, fleet)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p.Steps {
		if s.Source == nil || s.Source.File != "/pb/playbook.hcl" {
			t.Fatalf("step %s of the plan has no source: %+v", s.Name, s.Source)
		}
	}
	moved := in
	moved.Steps = append([]Step(nil), in.Steps...)
	for i := range moved.Steps {
		src := *moved.Steps[i].Source
		src.Start.Line, src.End.Line = src.Start.Line+3, src.End.Line+3
		moved.Steps[i].Source = &src
	}
	res, err := e.Apply(ctx, p, fleet, applyOpts(moved))
	if err != nil || !res.OK() {
		t.Fatalf("apply after the steps moved down three lines: %v %+v", err, res)
	}

	edited := *p
	edited.Steps = append([]plans.Step(nil), p.Steps...)
	edited.Steps[0].AutoCorrect = !edited.Steps[0].AutoCorrect
	var re *ReviewError
	if _, err := e.Apply(ctx, &edited, fleet, applyOpts(moved)); !errors.As(err, &re) {
		t.Errorf("a plan whose steps differ: %v", err)
	}
}
