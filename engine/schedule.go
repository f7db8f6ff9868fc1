package engine

import "github.com/rectifyhq/rectify/plans"

// schedule gives apply's rollout batches in order: the batches of each
// step in plan order, step after step. Which of a step's changes run, and
// why the others are skipped, is decided when its first batch is asked
// for: after every change of the steps before it was made and recorded,
// so that the decisions (a failed host, a trigger that fired) follow them.
// They do not depend on the verification of those changes, so the next
// batch can be asked for before the previous one is verified, and its
// re-read made by the read that verifies (see Apply).
type schedule struct {
	r       *applier
	steps   []plans.Step
	byStep  map[string][]int // the plan's changes, by step
	include func(plans.Instance) bool
	next    int        // the next step to start, in steps
	step    plans.Step // the step the batches left belong to
	left    [][]int    // the batches of step not given yet
}

// take returns the next batch and its step; ok is false when none is left.
func (s *schedule) take() (step plans.Step, batch []int, ok bool) {
	for len(s.left) == 0 {
		if s.next >= len(s.steps) {
			return plans.Step{}, nil, false
		}
		st := s.steps[s.next]
		s.next++
		if idx := s.byStep[st.Name]; len(idx) > 0 {
			s.step, s.left = st, batches(s.r.pending(st, idx, s.include), s.r.p.Rollout)
		}
	}
	batch, s.left = s.left[0], s.left[1:]
	return s.step, batch, true
}

// pending returns the changes of step (idx) that are to be made now and
// records every other as skipped, saying why.
func (r *applier) pending(step plans.Step, idx []int, include func(plans.Instance) bool) []int {
	var out []int
	for _, i := range idx {
		in := r.p.Instances[i]
		switch {
		case r.res.Stopped:
			r.skip(in, plans.Skipped, r.res.StopReason)
		case include != nil && !include(in):
			r.skip(in, plans.Skipped, "left out of this run")
		case in.Triggered && !r.triggerFired(step):
			r.skip(in, plans.Skipped, "none of the changes that trigger it were applied")
		case r.hostFailed(in.Host):
			r.skip(in, plans.Skipped, "an earlier change on this host failed")
		case r.waitsFor(step, in.Host) != "":
			r.skip(in, plans.Skipped, r.waitsFor(step, in.Host))
		default:
			out = append(out, i)
		}
	}
	return out
}
