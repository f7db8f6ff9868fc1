package views

import (
	"io"
	"sync"

	"github.com/rectifyhq/rectify/operation"
	"github.com/rectifyhq/rectify/plans"
)

// ApplyJSON shows an apply to programs: one JSON object per line and
// event, each with its "type": the plan when apply made it ("planned"),
// each host's reads ("read"), the run ("apply_started"), each change as
// it starts and ends ("change_starting", "change_done"), each batch's
// verification ("batch_verified"), and how it ended ("apply_finished").
type ApplyJSON struct {
	mu sync.Mutex
	w  io.Writer
}

var _ operation.ApplyView = (*ApplyJSON)(nil)

// NewApplyJSON returns the JSON view of an apply writing to w.
func NewApplyJSON(w io.Writer) *ApplyJSON { return &ApplyJSON{w: w} }

func (v *ApplyJSON) line(e any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	_ = writeJSONLine(v.w, e)
}

// Planned shows the plan an apply of a playbook made.
func (v *ApplyJSON) Planned(p *plans.Plan) {
	v.line(struct {
		Type string      `json:"type"`
		Plan *plans.Plan `json:"plan"`
	}{"planned", p})
}

// ReadDone implements engine.Hooks.
func (v *ApplyJSON) ReadDone(host string, done, total int, err error) {
	e := struct {
		Type  string `json:"type"`
		Host  string `json:"host"`
		Done  int    `json:"done"`
		Total int    `json:"total"`
		Error string `json:"error,omitempty"`
	}{Type: "read", Host: host, Done: done, Total: total}
	if err != nil {
		e.Error = err.Error()
	}
	v.line(e)
}

// ChangeStarting implements engine.Hooks.
func (v *ApplyJSON) ChangeStarting(in plans.Instance) {
	v.line(struct {
		Type    string       `json:"type"`
		Address string       `json:"address"`
		Step    string       `json:"step"`
		Host    string       `json:"host"`
		Action  plans.Action `json:"action"`
		Object  string       `json:"object,omitempty"`
	}{"change_starting", in.Address, in.Step, in.Host, in.Change.Action, in.Change.Object})
}

// ChangeDone implements engine.Hooks.
func (v *ApplyJSON) ChangeDone(_ plans.Instance, res plans.ChangeResult) {
	v.line(struct {
		Type   string             `json:"type"`
		Result plans.ChangeResult `json:"result"`
	}{"change_done", res})
}

// BatchVerified implements engine.Hooks.
func (v *ApplyJSON) BatchVerified(step string, hosts []string, notConverged []string) {
	v.line(struct {
		Type         string   `json:"type"`
		Step         string   `json:"step"`
		Hosts        []string `json:"hosts"`
		NotConverged []string `json:"not_converged,omitempty"`
	}{"batch_verified", step, hosts, notConverged})
}

// Started implements operation.ApplyView.
func (v *ApplyJSON) Started(run int64, req *operation.ApplyRequest) {
	v.line(struct {
		Type            string `json:"type"`
		Run             int64  `json:"run"`
		WindowOverride  string `json:"window_override,omitempty"`
		PlanAgeOverride string `json:"plan_age_override,omitempty"`
	}{"apply_started", run, req.WindowOverride, req.PlanAgeOverride})
}

// Ended implements operation.ApplyView.
func (v *ApplyJSON) Ended(res operation.Result) {
	e := struct {
		Type string `json:"type"`
		Run  int64  `json:"run,omitempty"`
		// Outcome is the journal's; Status names what it means, and
		// StatusCode is its number.
		Outcome      operation.Outcome    `json:"outcome"`
		Status       string               `json:"status"`
		StatusCode   int                  `json:"status_code"`
		Summary      string               `json:"summary,omitempty"`
		Error        string               `json:"error,omitempty"`
		Stopped      string               `json:"stopped,omitempty"`
		Changes      []plans.ChangeResult `json:"changes,omitempty"`
		NotConverged []string             `json:"not_converged,omitempty"`
		Unverified   []string             `json:"unverified,omitempty"`
		JournalError string               `json:"journal_error,omitempty"`
	}{Type: "apply_finished", Run: res.RunID, Outcome: res.Outcome, Status: res.Status.String(), StatusCode: int(res.Status), Summary: res.Summary}
	if res.Err != nil {
		e.Error = res.Err.Error()
	}
	if res.Stopped != nil {
		e.Stopped = res.Stopped.Error()
	}
	if res.Applied != nil {
		e.Changes, e.NotConverged, e.Unverified = res.Applied.Changes, res.Applied.NotConverged, res.Applied.Unverified
	}
	if res.JournalErr != nil {
		e.JournalError = res.JournalErr.Error()
	}
	v.line(e)
}
