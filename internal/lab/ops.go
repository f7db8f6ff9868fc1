package lab

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/ops"
)

// opCall is one op run on one host.
type opCall struct {
	org  *Org
	host *Host
	args []byte
	// version is the version of the op's script (its marker's v<N>).
	version int
}

// decode reads the op's JSON arguments as the scripts do
// (ConvertFrom-Json): numbers stay exact.
func (c *opCall) decode(v any) *scriptError {
	dec := json.NewDecoder(bytes.NewReader(c.args))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return cmdletError("ConvertFrom-Json", "NotSpecified: (:) [ConvertFrom-Json], ArgumentException", "System.ArgumentException,Microsoft.PowerShell.Commands.ConvertFromJsonCommand",
			"Invalid JSON primitive: %s", jsonErrorText(err))
	}
	return nil
}

func jsonErrorText(err error) string {
	s := err.Error()
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}

// opHandler runs one op against the state and returns its result document.
type opHandler func(ctx context.Context, c *opCall) (any, *scriptError)

// handlerFor returns the implementation of an op of the catalog.
func handlerFor(op string) (opHandler, bool) {
	switch op {
	case ops.Batch:
		return runBatch, true
	case ops.RegistryGet:
		return registryGet, true
	case ops.RegistrySet:
		return registrySet, true
	case ops.RegistryDelete:
		return registryDelete, true
	case ops.TimeRead:
		return timeRead, true
	case ops.TimeConfig:
		return timeConfig, true
	case ops.TimeResync:
		return timeResync, true
	case ops.TimeRestore:
		return timeRestore, true
	case ops.NetReach:
		return netReach, true
	case ops.ReplSyncAll:
		return replSyncAll, true
	case ops.ReplShow:
		return replShow, true
	case ops.ReplReplicate:
		return replReplicate, true
	case ops.EventsQuery:
		return eventsQuery, true
	case ops.ConnectorGet:
		return connectorGet, true
	case ops.ConnectorAddAuth:
		return connectorAddAuth, true
	case ops.QueueGet:
		return queueGet, true
	case ops.QueueRetry:
		return queueRetry, true
	case ops.TicketsList:
		return kerberosTickets, true
	case ops.TicketsPurge:
		return kerberosPurge, true
	case ops.HostAddresses:
		return hostAddresses, true
	}
	if strings.HasPrefix(op, "user.") {
		return userOp(op), true
	}
	return nil, false
}

// runBatch runs each item by its script's marker, in order, each taking
// its time; a failing item does not stop the others. As the batch script
// does with a Stopwatch, it times each item by a monotonic clock: when it
// started after the batch did, and how long before the batch's last
// reading of that clock, taken once every item has run, it ended.
func runBatch(ctx context.Context, c *opCall) (any, *scriptError) {
	var args struct {
		Items []struct {
			ID     string          `json:"id"`
			Script string          `json:"script"`
			Args   json.RawMessage `json:"args"`
		} `json:"items"`
	}
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	res := ops.BatchResult{Results: []ops.BatchItemResult{}}
	start := time.Now()
	var ended []time.Duration
	for _, item := range args.Items {
		r := ops.BatchItemResult{ID: item.ID, BeforeMicros: int64(time.Since(start) / time.Microsecond)}
		op, _, ok := ops.ParseMarker(item.Script)
		switch {
		case !ok:
			r.Error = `the item's script has no "# rectify:op <name> v<N>" marker line`
		case op == ops.Batch:
			r.Error = "a batch cannot contain a batch"
		}
		if r.Error != "" {
			res.Results = append(res.Results, r)
			ended = append(ended, time.Since(start))
			continue
		}
		a := item.Args
		if len(a) == 0 {
			a = json.RawMessage("null")
		}
		out, err := c.org.runScript(ctx, c.host, item.Script, a, true)
		if err != nil {
			r.Error = err.Message
		} else {
			r.OK = true
			r.Output = out
		}
		res.Results = append(res.Results, r)
		ended = append(ended, time.Since(start))
	}
	last := time.Since(start)
	for i := range res.Results {
		res.Results[i].AfterMicros = int64((last - ended[i]) / time.Microsecond)
	}
	return res, nil
}
