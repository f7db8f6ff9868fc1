package operation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/plans"
)

// ApplyRequest is one apply of a reviewed plan.
type ApplyRequest struct {
	Plan *plans.Plan
	// Input is the playbook and inventory evaluated now: the source of
	// every change (see engine.ApplyOptions). Its hosts are those the
	// locks are taken on.
	Input engine.Input
	Conns actions.Connections
	// WindowOverride, PlanAgeOverride and MaxPlanAge are the operator's
	// allowances (see engine.ApplyOptions); the reasons are journaled.
	WindowOverride  string
	PlanAgeOverride string
	MaxPlanAge      time.Duration
	// View shows the apply as it runs; nil shows nothing.
	View ApplyView
	// Kind is the run's kind: KindApply (the default) or KindUndo, for a
	// plan of an undo (Runner.UndoInput gives its Input).
	Kind Kind
}

// ApplyView shows an apply: the engine's progress, the run once it holds
// its hosts, and how it ended.
type ApplyView interface {
	engine.Hooks
	// Started says that run holds its hosts and starts changing them,
	// with the overrides the operator gave.
	Started(run int64, req *ApplyRequest)
	// Ended says how the apply ended.
	Ended(res Result)
}

// Result is how an operation ended.
type Result struct {
	// RunID is the run in the journal, 0 when none was recorded.
	RunID   int64
	Outcome Outcome
	// Status is what the outcome means for whoever started the
	// operation: its exit status.
	Status Status
	// Summary says in a line what the run did, as the journal keeps it.
	Summary string
	// Err says why the operation ended before changing anything.
	Err error
	// Applied is what apply did; nil when it did not start.
	Applied *engine.ApplyResult
	// Stopped is why a run that was not interrupted stopped starting
	// changes: ErrLeaseLost when its locks were taken over. An
	// interrupted run has the outcome Interrupted and no Stopped.
	Stopped error
	// JournalErr is a failure to record the end of the run or release its
	// locks, after the fact.
	JournalErr error
}

// Apply applies req.Plan: it records the run (refusing a plan already
// applied), locks the hosts the plan changes, reads what the journal
// remembers, lets the engine check and apply the plan, and records how it
// ended. Nothing is changed unless the run is recorded and holds its
// hosts.
func (r *Runner) Apply(ctx context.Context, req ApplyRequest) Result {
	res := r.apply(ctx, &req)
	if req.View != nil {
		req.View.Ended(res)
	}
	return res
}

func (r *Runner) apply(ctx context.Context, req *ApplyRequest) (res Result) {
	p, in := req.Plan, req.Input
	digest, err := plans.Digest(p)
	if err != nil {
		return Result{Outcome: Failed, Status: StatusError, Err: err}
	}
	kind := req.Kind
	if kind == "" {
		kind = KindApply
	}
	if (kind == KindUndo) != (p.Undo != nil) {
		return Result{Outcome: Failed, Status: StatusError, Err: fmt.Errorf("a %s run cannot apply this plan: it is %s", kind, map[bool]string{true: "an undo plan", false: "not an undo plan"}[p.Undo != nil])}
	}
	run, err := r.Journal.Begin(ctx, RunInfo{
		Kind: kind, Playbook: p.Playbook.Name, PlaybookDigest: in.Playbook.Digest,
		Inventory: in.Inventory.Path, InventoryDigest: in.Inventory.Digest, PlanDigest: digest,
		WindowOverride: req.WindowOverride, PlanAgeOverride: req.PlanAgeOverride, PlannedBy: p.Author,
	})
	if err != nil {
		// A replay is journaled as refused; any other failure left no run.
		status := refusal(err)
		outcome := Failed
		if status == StatusRefused {
			outcome = Refused
		}
		return Result{Outcome: outcome, Status: status, Err: err}
	}
	res.RunID = run.RunID()
	refuse := func(err error) Result {
		res.Outcome, res.Status, res.Summary, res.Err = Refused, refusal(err), err.Error(), err
		res.JournalErr = finish(ctx, run, res.Outcome, res.Summary)
		return res
	}
	// A plan that needs approvals is refused, and the refusal journaled,
	// before any host is locked or read.
	if err := checkApprovals(ctx, r.Journal, run, p, digest); err != nil {
		return refuse(err)
	}
	lease, err := run.Lock(ctx, lockedHosts(kind, p, in.Hosts))
	if err != nil {
		return refuse(err)
	}
	defer func() {
		if err := lease.Release(ctx); err != nil {
			res.JournalErr = errors.Join(res.JournalErr, err)
		}
	}()
	// Apply re-plans with what the journal remembers now, as a plan does.
	if in.Memory, err = r.Journal.Memory(ctx, p.Playbook.Name); err != nil {
		return refuse(err)
	}
	applyCtx, stop := WithLease(ctx, lease)
	defer stop()
	if req.WindowOverride != "" {
		r.Log.Info().Str("reason", req.WindowOverride).Int64("run", res.RunID).Msg("change window override")
	}
	if req.PlanAgeOverride != "" {
		r.Log.Info().Str("reason", req.PlanAgeOverride).Int64("run", res.RunID).Msg("plan age override")
	}
	var hooks engine.Hooks
	if req.View != nil {
		req.View.Started(res.RunID, req)
		hooks = req.View
	}
	applied, err := r.engine(hooks, nil).Apply(applyCtx, p, req.Conns, engine.ApplyOptions{
		Input: in, WindowOverride: req.WindowOverride, MaxPlanAge: req.MaxPlanAge, PlanAgeOverride: req.PlanAgeOverride, Journal: run,
	})
	if err != nil {
		return refuse(err)
	}
	res.Applied = applied
	unplanned := p.Summary().Errors
	res.Summary = applySummary(applied, unplanned)
	res.Status = applyStatus(applied, unplanned)
	switch {
	case ctx.Err() != nil:
		res.Outcome = Interrupted
	case applyCtx.Err() != nil:
		res.Outcome, res.Stopped = Interrupted, context.Cause(applyCtx)
	case res.Status == StatusOK:
		res.Outcome = Succeeded
	case res.Status == StatusUnverified:
		res.Outcome = NotConverged
	default:
		res.Outcome = Failed
	}
	res.JournalErr = finish(ctx, run, res.Outcome, res.Summary)
	return res
}

// applySummary says in a line what an apply did, as the journal keeps it;
// unplanned counts the plan's instances that could not be planned.
func applySummary(res *engine.ApplyResult, unplanned int) string {
	s := fmt.Sprintf("%d applied, %d failed, %d stale, %d skipped, %d not converged, %d unverified",
		res.Count(plans.Applied), res.Count(plans.Failed), res.Count(plans.Stale), res.Count(plans.Skipped), len(res.NotConverged), len(res.Unverified))
	if n := res.Count(plans.Differs); n > 0 {
		s += fmt.Sprintf(", %d not as reviewed", n)
	}
	if unplanned > 0 {
		s += fmt.Sprintf(", %d not planned", unplanned)
	}
	return s
}

// applyStatus maps what an apply did to a Status: every change applied
// and verified is OK; a failed, stale, differing or interrupted change,
// or an early stop, after some change was applied is a failure, and
// before any was applied (the targets moved, the run was stopped) a
// refusal or an error; applied changes that did not converge or could not
// be verified are unverified. An instance the plan could not plan (its
// host unreachable) is work left undone: the apply failed when it changed
// anything, and was an error when it did not.
func applyStatus(res *engine.ApplyResult, unplanned int) Status {
	s := appliedStatus(res)
	if unplanned > 0 && (s == StatusOK || s == StatusUnverified) {
		if res.Count(plans.Applied) > 0 {
			return StatusFailed
		}
		return StatusError
	}
	return s
}

// appliedStatus is applyStatus of the changes the apply attempted.
func appliedStatus(res *engine.ApplyResult) Status {
	failed := res.Count(plans.Failed) + res.Count(plans.Interrupted)
	moved := res.Count(plans.Stale) + res.Count(plans.Differs)
	applied := res.Count(plans.Applied)
	switch {
	case applied == 0 && failed == 0 && moved > 0:
		// Nothing changed: the plan no longer describes the hosts.
		return StatusRefused
	case applied == 0 && (failed > 0 || res.Stopped) && res.Count(plans.Failed) == 0:
		// Stopped before changing anything.
		return StatusError
	case failed > 0 || moved > 0 || res.Stopped:
		return StatusFailed
	case len(res.NotConverged) > 0 || len(res.Unverified) > 0:
		return StatusUnverified
	}
	return StatusOK
}

// refusal says whether err refused an operation before any change (a
// check that failed: the window, the locks, a stale, forged, replayed or
// old plan) or was an error.
func refusal(err error) Status {
	var (
		window *engine.WindowClosedError
		review *engine.ReviewError
		digest *engine.DigestMismatchError
		age    *engine.PlanAgeError
		locked *HostsLockedError
		replay *ReplayError
		appr   *ApprovalError
		self   *SelfApprovalError
	)
	switch {
	case errors.As(err, &window), errors.As(err, &review), errors.As(err, &digest), errors.As(err, &age),
		errors.As(err, &locked), errors.As(err, &replay), errors.As(err, &appr), errors.As(err, &self):
		return StatusRefused
	}
	return StatusError
}
