package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/plans"
)

// DefaultChangeTimeout bounds one change once started, also after the run
// was asked to stop.
const DefaultChangeTimeout = 5 * time.Minute

// ApplyOptions says how to apply a plan.
type ApplyOptions struct {
	// Input is the playbook evaluated now against the inventory (with the
	// plan's salt and variables, and the journal's memory as it is now):
	// the source of every change apply makes. A plan made from another
	// playbook or inventory (by their evaluated digests) is refused.
	Input Input
	// WindowOverride, when not empty, is the recorded reason for applying
	// outside the playbook's change windows.
	WindowOverride string
	// MaxPlanAge refuses a plan made longer ago; 0 means no limit.
	MaxPlanAge time.Duration
	// PlanAgeOverride, when not empty, is the recorded reason for applying
	// a plan older than MaxPlanAge.
	PlanAgeOverride string
	// Journal records every change; nil records nothing.
	Journal Journal
	// Include, when set, leaves out the instances it returns false for
	// (drift correction leaves out auto_correct = false steps).
	Include func(plans.Instance) bool
	// ChangeTimeout bounds one change; 0 means DefaultChangeTimeout.
	ChangeTimeout time.Duration
}

// ApplyResult is what an apply did.
type ApplyResult struct {
	Changes []plans.ChangeResult
	// NotConverged lists the addresses that did not plan as no-op after
	// their change.
	NotConverged []string
	// Unverified lists applied changes whose verification could not read
	// the target; each result's VerifyError says why.
	Unverified []string
	// Stopped is set when the run ended early: interrupted, or a batch
	// failed more than max_fail allows.
	Stopped    bool
	StopReason string
}

// Count returns how many changes ended with status s.
func (r *ApplyResult) Count(s plans.Status) int {
	n := 0
	for _, c := range r.Changes {
		if c.Status == s {
			n++
		}
	}
	return n
}

// OK reports whether every change was applied and converged.
func (r *ApplyResult) OK() bool {
	return !r.Stopped && len(r.NotConverged) == 0 && len(r.Unverified) == 0 && r.Count(plans.Failed) == 0 && r.Count(plans.Stale) == 0 &&
		r.Count(plans.Differs) == 0 && r.Count(plans.Interrupted) == 0
}

// DigestMismatchError is returned for a plan made from another playbook or
// inventory than the one given now.
type DigestMismatchError struct {
	What       string // "playbook" or "inventory"
	Plan, Have string
}

func (e *DigestMismatchError) Error() string {
	return fmt.Sprintf("the %s changed since the plan was made (plan %s, now %s); make a new plan", e.What, plans.ShortDigest(e.Plan), plans.ShortDigest(e.Have))
}

// Apply makes the plan's changes: step by step in plan order, each step's
// hosts in rollout batches, and verifies each batch by planning it again.
// The plan is the reviewed expectation, never the source of what runs:
// every change is planned again from the playbook evaluated now (opts.Input)
// and a fresh read of its target, and made only if the target has not moved
// (else it is stale) and the re-plan equals the reviewed change (else it
// differs). Before any change, the whole plan is checked against the input
// and re-planned from a read of every host; a plan that is not what the
// playbook calls for is refused whole (ReviewError). Cancelling ctx stops
// new changes from starting; changes under way finish or time out, and
// everything is recorded.
func (e *Engine) Apply(ctx context.Context, p *plans.Plan, conns actions.Connections, opts ApplyOptions) (*ApplyResult, error) {
	in := opts.Input
	if p.Playbook.Digest != in.Playbook.Digest {
		return nil, &DigestMismatchError{What: "playbook", Plan: p.Playbook.Digest, Have: in.Playbook.Digest}
	}
	if p.Inventory.Digest != in.Inventory.Digest {
		return nil, &DigestMismatchError{What: "inventory", Plan: p.Inventory.Digest, Have: in.Inventory.Digest}
	}
	now := e.now()
	if err := checkAge(p, now, opts.MaxPlanAge, opts.PlanAgeOverride); err != nil {
		return nil, err
	}
	problems, err := checkReviewed(p, in)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, &ReviewError{Problems: problems}
	}
	open, next := plans.InWindows(p.Windows, now)
	if !open && opts.WindowOverride == "" {
		return nil, &WindowClosedError{Now: now, Windows: p.Windows, Next: next}
	}
	// Reads over every target of a step are made once a run, by the
	// review (runMemo).
	ctx = withRunMemo(ctx)
	fresh, reviewed, problems, err := e.review(ctx, p, in, conns, opts.Include)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, &ReviewError{Problems: problems}
	}
	journal := opts.Journal
	if journal == nil {
		journal = noJournal{}
	}
	timeout := opts.ChangeTimeout
	if timeout <= 0 {
		timeout = DefaultChangeTimeout
	}
	steps := make(map[string]Step, len(in.Steps))
	for _, s := range in.Steps {
		steps[s.Name] = s
	}
	r := &applier{e: e, p: p, in: in, steps: steps, fresh: fresh, rec: recorder{salt: p.Salt}, conns: conns, topo: newTopology(in.Hosts), journal: journal,
		timeout: timeout, res: &ApplyResult{}, applied: map[string]bool{}, failed: map[string]bool{},
		results: map[string]int{}, instances: make(map[string]int, len(p.Instances))}
	for i, in := range p.Instances {
		r.instances[in.Address] = i
	}

	// Instances to change, grouped by step in plan order.
	byStep := map[string][]int{}
	for i, in := range p.Instances {
		if in.Error != "" || !in.Change.Action.Changes() {
			continue
		}
		if h, ok := p.Host(in.Host); ok && h.Error != "" {
			continue
		}
		byStep[in.Step] = append(byStep[in.Step], i)
	}
	sched := &schedule{r: r, steps: p.Steps, byStep: byStep, include: opts.Include}
	failedHosts := 0
	// ahead is the re-read of the batch about to run when it was made
	// already: by the review, for the first batch to run (nothing was
	// changed since), or by the read that verified the batch before it, in
	// the same step or the step before. Either way nothing happens between
	// that read and the batch's changes.
	var ahead []*observation
	started := false
	step, batch, ok := sched.take()
	for ok {
		if r.res.Stopped {
			for _, i := range batch {
				r.skip(p.Instances[i], plans.Skipped, r.res.StopReason)
			}
			ahead = nil
			step, batch, ok = sched.take()
			continue
		}
		if ctx.Err() != nil {
			r.stop("interrupted")
			for _, i := range batch {
				r.skip(p.Instances[i], plans.Interrupted, "the run was interrupted before this change started")
			}
			ahead = nil
			step, batch, ok = sched.take()
			continue
		}
		if !started {
			ahead = r.fromReview(batch, reviewed)
			started, reviewed = true, nil
		}
		failedHosts += r.runBatch(ctx, batch, ahead)
		stopping := failedHosts > p.Rollout.MaxFail
		// The next batch is decided now, from the changes just made: its
		// re-read then shares this batch's verification.
		readAhead := !stopping && !r.res.Stopped && ctx.Err() == nil
		var nextStep plans.Step
		var next []int
		nextOK := false
		if readAhead {
			nextStep, next, nextOK = sched.take()
		}
		ahead = r.verify(ctx, step.Name, batch, next)
		if stopping {
			r.stop(fmt.Sprintf("%d change(s) failed, more than max_fail = %d; later batches were not started", failedHosts, p.Rollout.MaxFail))
		}
		if !readAhead {
			ahead = nil
			nextStep, next, nextOK = sched.take()
		}
		step, batch, ok = nextStep, next, nextOK
	}
	if ctx.Err() != nil && !r.res.Stopped {
		r.stop("interrupted")
	}
	return r.res, nil
}

// applier holds one apply run's state.
type applier struct {
	e *Engine
	p *plans.Plan
	// in is the playbook evaluated now, steps its steps by name, and
	// fresh the review's re-plan of every instance, by address.
	in      Input
	steps   map[string]Step
	fresh   map[string]plans.Instance
	rec     recorder
	conns   actions.Connections
	topo    topology
	journal Journal
	timeout time.Duration

	mu      sync.Mutex
	res     *ApplyResult
	applied map[string]bool // steps with at least one applied change
	failed  map[string]bool // hosts with a failed change
	// results indexes res.Changes by address: the latest result of each.
	results map[string]int
	// instances indexes the plan's instances by address.
	instances map[string]int
}

func (r *applier) hostFailed(host string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed[host]
}

func (r *applier) stop(reason string) {
	if !r.res.Stopped {
		r.res.Stopped, r.res.StopReason = true, reason
	}
}

func (r *applier) triggerFired(step plans.Step) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range step.TriggeredBy {
		if r.applied[t] {
			return true
		}
	}
	return false
}

func (r *applier) record(res plans.ChangeResult) {
	r.mu.Lock()
	r.res.Changes = append(r.res.Changes, res)
	r.results[res.Address] = len(r.res.Changes) - 1
	switch res.Status {
	case plans.Applied:
		r.applied[res.Step] = true
	case plans.Failed:
		r.failed[res.Host] = true
	}
	r.mu.Unlock()
}

func (r *applier) skip(in plans.Instance, s plans.Status, why string) {
	now := r.e.now()
	r.record(plans.ChangeResult{Address: in.Address, Step: in.Step, Host: in.Host, Status: s, Error: why, Started: now, Finished: now})
}

// runBatch makes the changes of one batch concurrently and returns how many
// failed. Every change is planned again from a read of its target made
// after the changes of every earlier batch and before its own: one read for
// the whole batch, as a plan reads (observeAll), so that a host the batch's
// changes read several times, their own targets or other hosts, is read by
// one command. The changes of a batch run concurrently, so a read shared by
// the batch is as fresh for each of them as one of its own would be. obs
// holds the reads already made for the batch (see Apply): nothing happened
// between them and now. The changes obs has no read for (nil, or a nil
// entry) are read here.
func (r *applier) runBatch(ctx context.Context, batch []int, obs []*observation) int {
	if obs == nil {
		obs = make([]*observation, len(batch))
	}
	var missing []int
	for k := range batch {
		if obs[k] == nil {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		reads := make([]*observation, len(missing))
		for j, k := range missing {
			inst, action, err := r.instance(r.p.Instances[batch[k]])
			reads[j] = &observation{inst: inst, action: action, err: err}
			obs[k] = reads[j]
		}
		if ctx.Err() == nil {
			rctx, cancel := context.WithTimeout(ctx, r.timeout)
			r.read(rctx, reads)
			cancel()
		}
	}

	var wg sync.WaitGroup
	results := make([]plans.ChangeResult, len(batch))
	// The batch's changes share their identical reads in flight.
	conns := newCoalescing(r.conns, runMemoFrom(ctx))
	// At most Parallelism hosts change at once, whatever the batch size:
	// -parallelism is the operator's bound on load on production servers.
	sem := make(chan struct{}, r.e.parallelism())
	for k, i := range batch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := r.p.Instances[i]
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				now := r.e.now()
				results[k] = plans.ChangeResult{Address: in.Address, Step: in.Step, Host: in.Host, Status: plans.Interrupted,
					Error: "the run was interrupted before this change started", Started: now, Finished: now}
				return
			}
			results[k] = r.change(ctx, in, obs[k], conns)
		}()
	}
	wg.Wait()
	failed := 0
	for _, res := range results {
		r.record(res)
		if res.Status == plans.Failed {
			failed++
		}
	}
	return failed
}

// fromReview returns the review's reads of a batch's changes (nil where
// the review has none): for the first batch to run, before any change was
// made, they are as fresh as a re-read. A change the playbook evaluated
// now cannot build is left to prepare, which says why.
func (r *applier) fromReview(batch []int, reviewed map[string]*observation) []*observation {
	obs := make([]*observation, len(batch))
	for k, i := range batch {
		in := r.p.Instances[i]
		o, ok := reviewed[in.Address]
		if !ok {
			continue
		}
		if _, _, err := r.instance(in); err != nil {
			continue
		}
		obs[k] = o
	}
	return obs
}

// prepare builds the instances of a batch's changes from the playbook
// evaluated now, to be read; one that cannot be built has no action and
// says why in its err.
func (r *applier) prepare(batch []int) []*observation {
	obs := make([]*observation, len(batch))
	for k, i := range batch {
		inst, action, err := r.instance(r.p.Instances[i])
		obs[k] = &observation{inst: inst, action: action, err: err}
	}
	return obs
}

// read reads the instances of obs that were built, together.
func (r *applier) read(ctx context.Context, obs []*observation) {
	var reads []*observation
	for _, o := range obs {
		if o != nil && o.action != nil && o.err == nil {
			reads = append(reads, o)
		}
	}
	if len(reads) == 0 {
		return
	}
	if err := r.observeAll(ctx, reads); err != nil {
		for _, o := range reads {
			o.err = err
		}
	}
}

// change makes one planned change over conns: record, compare the read
// made for it (o), apply, record. An instance that could not be built from
// the playbook (o has no action) fails with o's error.
func (r *applier) change(ctx context.Context, in plans.Instance, o *observation, conns actions.Connections) plans.ChangeResult {
	hooks := r.e.hooks()
	res := plans.ChangeResult{Address: in.Address, Step: in.Step, Host: in.Host, Started: r.e.now()}
	finish := func(s plans.Status, err error) plans.ChangeResult {
		res.Status, res.Finished = s, r.e.now()
		if err != nil {
			res.Error = err.Error()
		}
		return res
	}
	if o.action == nil {
		return finish(plans.Failed, o.err)
	}
	hooks.ChangeStarting(in)
	id, err := r.journal.ChangeStarting(ctx, in)
	if err != nil {
		res = finish(plans.Failed, fmt.Errorf("not changed: the journal could not record the change: %w", err))
		hooks.ChangeDone(in, res)
		return res
	}
	// A change once started runs to its end or its timeout, even if the
	// run is interrupted meanwhile.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.timeout)
	defer cancel()

	res = r.attempt(cctx, ctx, in, o, conns, res)
	if err := r.journal.ChangeFinished(cctx, id, res); err != nil {
		res.Error = strings.TrimSpace(res.Error + "; the journal could not record the outcome: " + err.Error())
		if res.Status == plans.Applied {
			r.mu.Lock()
			r.stop("the journal could not record a change's outcome")
			r.mu.Unlock()
		}
	}
	hooks.ChangeDone(in, res)
	return res
}

// attempt plans the change again from the read of its target (o); if the
// target has not moved and the re-plan is the reviewed change, it makes the
// re-planned change.
func (r *applier) attempt(cctx, runCtx context.Context, in plans.Instance, o *observation, conns actions.Connections, res plans.ChangeResult) plans.ChangeResult {
	inst, action := o.inst, o.action
	finish := func(s plans.Status, err error) plans.ChangeResult {
		res.Status, res.Finished = s, r.e.now()
		if err != nil {
			res.Error = r.rec.text(inst, err.Error())
		}
		return res
	}
	state, err := o.state, o.err
	if err != nil {
		return finish(plans.Failed, fmt.Errorf("not changed: could not re-read the target: %w", err))
	}
	_, digest, err := r.rec.state(action, inst, state)
	if err != nil {
		return finish(plans.Failed, err)
	}
	if digest != in.ObservedDigest {
		return finish(plans.Stale, errors.New("not changed: the target moved since the plan was made; make a new plan"))
	}
	now, err := action.Plan(inst, state)
	if err != nil {
		return finish(plans.Failed, fmt.Errorf("not changed: could not plan the change again: %w", err))
	}
	recorded, err := r.rec.change(inst, now)
	if err != nil {
		return finish(plans.Failed, fmt.Errorf("not changed: %w", err))
	}
	diffs, err := plans.Differences(in.Change, recorded)
	if err != nil {
		return finish(plans.Failed, fmt.Errorf("not changed: %w", err))
	}
	if len(diffs) > 0 {
		return finish(plans.Differs, fmt.Errorf("not changed: the %s of the change the playbook calls for now differ from the reviewed plan; make a new plan and review it", strings.Join(diffs, " and ")))
	}
	if runCtx.Err() != nil {
		return finish(plans.Interrupted, errors.New("the run was interrupted before this change started"))
	}
	// What runs is the re-plan, with its secrets, never the plan file's
	// payload.
	if now.Payload, err = plans.Reveal(now.Payload); err != nil {
		return finish(plans.Failed, fmt.Errorf("not changed: %w", err))
	}
	out, err := action.Apply(cctx, inst, now, conns)
	for _, m := range out.Messages {
		res.Messages = append(res.Messages, r.rec.text(inst, m))
	}
	if undo, uerr := r.rec.document(action, inst, out.Undo); uerr == nil {
		res.Undo = undo
	} else if err == nil {
		err = fmt.Errorf("the change was made, but its undo data cannot be recorded: %w", uerr)
	}
	if out.After != nil {
		if raw, _, encErr := r.rec.state(action, inst, out.After); encErr == nil {
			res.After = raw
		}
	}
	if err != nil {
		return finish(plans.Failed, err)
	}
	return finish(plans.Applied, nil)
}

// instance builds the action instance of a planned instance from the
// playbook evaluated now: its configuration, targets and the journal's
// memory come from there, never from the plan file.
func (r *applier) instance(in plans.Instance) (actions.Instance, actions.Action, error) {
	s, ok := r.steps[in.Step]
	if !ok || s.ActionID != in.Action {
		return actions.Instance{}, nil, fmt.Errorf("the playbook has no %s step %q", in.Action, in.Step)
	}
	host, ok := r.topo.Host(in.Host)
	if !ok {
		return actions.Instance{}, nil, fmt.Errorf("host %q of the plan is not in the inventory", in.Host)
	}
	return actions.Instance{
		Step: in.Step, Host: host, Targets: s.Targets, Config: s.Config, Topology: r.topo, Now: r.e.now().UTC(), Triggered: in.Triggered,
		Memory: r.in.Memory[in.Address],
	}, s.Action, nil
}

// verify plans each applied change of a batch again and records whether it
// converged (now plans as no-op). The targets of the batch are read
// together, as a plan reads them (observeAll): one command per host. The
// same read re-reads the targets of next, the batch that runs next (in the
// same step or the next one), if any: both reads belong right after this
// batch's changes, and a host both need is read once. verify returns
// next's read.
func (r *applier) verify(ctx context.Context, step string, batch, next []int) []*observation {
	vctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.timeout)
	defer cancel()
	hosts := make([]string, len(batch))
	obs := make([]*observation, len(batch))
	for j, i := range batch {
		in := r.p.Instances[i]
		hosts[j] = in.Host
		k := r.resultIndex(in.Address)
		if k < 0 || r.changeStatus(k) != plans.Applied {
			continue
		}
		inst, action, err := r.instance(in)
		obs[j] = &observation{inst: inst, action: action, err: err}
		if err != nil {
			continue
		}
		inst.Triggered = false
		// The journal now remembers this change: plan as a later run would,
		// knowing it (a reverted temporary value stays reverted).
		r.mu.Lock()
		inst.Memory = memoryOf(in.Change, r.res.Changes[k])
		r.mu.Unlock()
		obs[j].inst = inst
	}
	ahead := r.prepare(next)
	r.read(vctx, append(append([]*observation(nil), obs...), ahead...))
	for _, o := range obs {
		if o != nil && o.action != nil && o.err != nil {
			o.err = fmt.Errorf("could not read the target again: %w", o.err)
		}
	}
	converged := make([]bool, len(batch))
	for j, o := range obs {
		if o == nil || o.err != nil {
			continue
		}
		ch, err := o.action.Plan(o.inst, o.state)
		o.err, converged[j] = err, err == nil && !ch.Action.Changes()
	}
	var notConverged []string
	r.mu.Lock()
	for j, i := range batch {
		o := obs[j]
		if o == nil {
			continue
		}
		in := r.p.Instances[i]
		switch {
		case converged[j]:
			r.res.Changes[r.resultIndexLocked(in.Address)].Converged = true
		case o.err != nil:
			// Applied, but nobody can say whether it took: not the same as
			// a target that still plans a change.
			r.res.Changes[r.resultIndexLocked(in.Address)].VerifyError = o.err.Error()
			r.res.Unverified = append(r.res.Unverified, in.Address)
		default:
			notConverged = append(notConverged, in.Address)
			r.res.NotConverged = append(r.res.NotConverged, in.Address)
		}
	}
	r.mu.Unlock()
	r.e.hooks().BatchVerified(step, hosts, notConverged)
	if len(next) == 0 {
		return nil
	}
	return ahead
}

func (r *applier) changeStatus(k int) plans.Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.res.Changes[k].Status
}

func (r *applier) resultIndex(addr string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.resultIndexLocked(addr)
}

func (r *applier) resultIndexLocked(addr string) int {
	if k, ok := r.results[addr]; ok {
		return k
	}
	return -1
}

// batches splits instances into the rollout's batches.
func batches(idx []int, rollout plans.Rollout) [][]int {
	if len(idx) == 0 {
		return nil
	}
	size := rollout.BatchSize(len(idx))
	var out [][]int
	for start := 0; start < len(idx); start += size {
		out = append(out, idx[start:min(start+size, len(idx))])
	}
	return out
}

// waitsFor says why a step's change on host must wait (see waitReason):
// because the reviewed plan says so, or because the re-plan at the start
// of apply does (a dependency blocked or unreadable now). It uses the
// applier's indexes, which keep apply linear in the plan's size.
func (r *applier) waitsFor(step plans.Step, host string) string {
	saved := waitReason(step, host, func(addr string) (plans.Instance, bool) {
		i, ok := r.instances[addr]
		if !ok {
			return plans.Instance{}, false
		}
		return r.p.Instances[i], true
	})
	if saved != "" {
		return saved
	}
	return waitReason(step, host, func(addr string) (plans.Instance, bool) {
		in, ok := r.fresh[addr]
		return in, ok
	})
}

// waitReason says why a step's change on host must wait: a step it depends
// on is blocked or could not be planned on the same host (the symptom check
// is pointless while a cause rectify must not fix remains). lookup finds an
// instance by address. It returns "" when nothing blocks.
func waitReason(step plans.Step, host string, lookup func(addr string) (plans.Instance, bool)) string {
	for _, dep := range step.DependsOn {
		addr := plans.Address(dep, host)
		in, ok := lookup(addr)
		if !ok {
			continue
		}
		switch {
		case in.Error != "":
			return fmt.Sprintf("waits for %s, which could not be planned", addr)
		case in.Change.Action == plans.Blocked:
			return fmt.Sprintf("waits for %s, which is blocked: %s", addr, in.Change.Reason)
		}
	}
	return ""
}

// memoryOf is what the journal remembers of an applied change.
func memoryOf(ch plans.Change, res plans.ChangeResult) *actions.Memory {
	m := &actions.Memory{Action: ch.Action, Applied: res.Finished, Undo: res.Undo, Reverted: ch.Revert}
	m.Expires = ExpiryOf(ch, res.Finished)
	return m
}

// ExpiryOf returns when a temporary change applied at applied expires: its
// Expires, or applied plus its ExpiresIn; zero for a lasting change.
func ExpiryOf(ch plans.Change, applied time.Time) time.Time {
	if ch.Expires != "" {
		t, _ := time.Parse(time.RFC3339, ch.Expires)
		return t
	}
	if ch.ExpiresIn != "" {
		if d, err := time.ParseDuration(ch.ExpiresIn); err == nil && !applied.IsZero() {
			return applied.Add(d).UTC().Truncate(time.Second)
		}
	}
	return time.Time{}
}
