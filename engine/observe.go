package engine

import (
	"context"
	"fmt"

	"github.com/rectifyhq/rectify/actions"
)

// observation is one instance to read, and what its read showed.
type observation struct {
	inst   actions.Instance
	action actions.Action
	state  actions.State
	err    error
}

// observeAll reads the probes of every instance of obs together, as a plan
// reads: all shell reads of one host in one command, however many of the
// instances read that host, and lookups of one shape merged. It then
// observes each instance's state from its own results, setting state or
// err on each. An instance whose probes cannot be made or are refused, or
// whose own host cannot be read, gets the error.
func (r *applier) observeAll(ctx context.Context, obs []*observation) error {
	reqs := make([]readRequest, 0, len(obs))
	index := make([]int, 0, len(obs)) // reqs[j] reads obs[index[j]]
	for i, o := range obs {
		probes, err := o.action.Probes(o.inst)
		if err == nil {
			err = o.inst.RefuseOnwardReads(probes)
		}
		for _, p := range probes {
			if err == nil {
				if err = p.Validate(); err != nil {
					err = fmt.Errorf("bad probe: %w", err)
				}
			}
		}
		if err != nil {
			o.err = err
			continue
		}
		reqs = append(reqs, readRequest{host: o.inst.Host.Name, probes: probes})
		index = append(index, i)
	}
	out, err := reader{conns: r.conns, parallelism: r.e.parallelism()}.read(ctx, reqs)
	if err != nil {
		return err
	}
	for j, i := range index {
		o := obs[i]
		if err := out.hostErrs[o.inst.Host.Name]; err != nil {
			o.err = err
			continue
		}
		o.state, o.err = o.action.Observe(o.inst, out.results[j])
	}
	return nil
}
