package lab

import (
	"context"
	"fmt"
	"strings"

	"github.com/rectifyhq/rectify/ops"
)

func netReach(_ context.Context, c *opCall) (any, *scriptError) {
	var args ops.NetReachArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	res := ops.NetReachResult{Results: []ops.ReachOutcome{}}
	for _, t := range args.Targets {
		res.Results = append(res.Results, c.org.reach(c.host, t, args.TimeoutMS))
	}
	return res, nil
}

// reach answers one probe from a host by the simulated network, with the
// states and messages of the net.reach script.
func (o *Org) reach(from *Host, t ops.ReachTarget, timeoutMS int) ops.ReachOutcome {
	out := ops.ReachOutcome{Host: t.Host, Port: t.Port, Protocol: strings.ToLower(t.Protocol), State: "error"}
	if timeoutMS <= 0 {
		timeoutMS = 2000
	}
	noAnswer := fmt.Sprintf("no answer within %d ms", timeoutMS)
	switch {
	case t.Host == "" || t.Port < 1 || t.Port > 65535:
		out.Error = "a target needs a host and a port from 1 to 65535"
		return out
	case out.Protocol != "tcp" && out.Protocol != "udp":
		out.Error = "protocol must be tcp or udp"
		return out
	}
	to, ok := o.Host(t.Host)
	if !ok {
		out.Error = "No such host is known"
		return out
	}
	blocked := from.Blocked(to.Name, t.Port, out.Protocol)
	listens := to.listens(t.Port, out.Protocol)
	switch {
	case out.Protocol == "tcp" && blocked:
		out.State, out.ElapsedMS, out.Error = "filtered", timeoutMS, noAnswer
	case out.Protocol == "tcp" && !listens:
		out.State, out.ElapsedMS = "closed", 1
		out.Error = "No connection could be made because the target machine actively refused it"
	case out.Protocol == "tcp":
		out.State, out.Reachable, out.ElapsedMS = "open", true, 1
	case blocked:
		out.State, out.ElapsedMS, out.Error = "open|filtered", timeoutMS, noAnswer
	case !listens:
		out.State, out.ElapsedMS = "closed", 1
		out.Error = "An existing connection was forcibly closed by the remote host"
	default:
		out.State, out.Reachable, out.ElapsedMS = "open", true, 1
	}
	return out
}
