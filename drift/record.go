package drift

import (
	"context"

	"github.com/rectifyhq/rectify/plans"
)

// Planned journals what the cycle's plan found pending and learns which
// items flap. It reports false when the store failed, and the cycle goes
// no further.
func (c *CycleRun) Planned(ctx context.Context, p *plans.Plan) bool {
	c.planned = true
	o := Observations{Playbook: p.Playbook.Name, RunID: c.rep.RunID, Time: c.w.clock.Now(), Policy: c.w.cfg.Flapping}
	for _, h := range p.Hosts {
		c.hosts = append(c.hosts, h.Name)
		if h.Error != "" {
			c.rep.HostErrors = append(c.rep.HostErrors, HostError{Host: h.Name, Error: h.Error})
			c.log.Warn().Str("host", h.Name).Str("error", h.Error).Msg("host could not be read; its drift is unknown this cycle")
		}
	}
	for _, in := range p.Instances {
		switch {
		case in.Error != "":
			o.Unknown = append(o.Unknown, in.Address)
			if _, down := hostDown(p, in.Host); !down {
				c.rep.Errors = append(c.rep.Errors, in.Address+": "+in.Error)
			}
		case !pending(in) || in.Triggered:
		default:
			o.Pending = append(o.Pending, Observation{Address: in.Address, Step: in.Step, Host: in.Host, Action: string(in.Change.Action), Object: in.Change.Object})
		}
	}
	open, err := c.w.cfg.Store.RecordDrift(context.WithoutCancel(ctx), o)
	if err != nil {
		c.Fail("record drift", err)
		return false
	}
	for _, r := range open {
		c.open[r.Address] = r
	}
	return true
}

// pending reports whether an instance plans something to report.
func pending(in plans.Instance) bool {
	return in.Error == "" && (in.Change.Action.Changes() || in.Change.Action == plans.Blocked)
}

// hostDown reports whether the plan could not read host, and why.
func hostDown(p *plans.Plan, host string) (string, bool) {
	h, ok := p.Host(host)
	return h.Error, ok && h.Error != ""
}
