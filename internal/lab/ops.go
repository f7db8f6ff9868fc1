package lab

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/actions/ops"
)

// opCall is one op run on one host.
type opCall struct {
	org  *Org
	host *Host
	args []byte
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
	case ops.TimeResync:
		return timeResync, true
	case ops.NetReach:
		return netReach, true
	case ops.ReplSyncAll:
		return replSyncAll, true
	case ops.ReplShow:
		return replShow, true
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
	case ops.UserScript:
		return userScript, true
	}
	return nil, false
}

// runBatch runs each item by its script's marker; a failing item does not
// stop the others.
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
	for _, item := range args.Items {
		r := ops.BatchItemResult{ID: item.ID}
		if op, _, _ := ops.ParseMarker(item.Script); op == ops.Batch {
			r.Error = "a batch cannot hold another batch"
			res.Results = append(res.Results, r)
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
	}
	return res, nil
}

// exchangeCall checks that the Exchange snap-in loads on the host.
func (c *opCall) exchangeCall() *scriptError {
	if c.host.Role != RoleExchange {
		return cmdletError("Add-PSSnapin", "InvalidArgument: (Microsoft.Excha...owerShell.SnapIn:String) [Add-PSSnapin], PSArgumentException", "AddPSSnapInRead",
			"The Windows PowerShell snap-in 'Microsoft.Exchange.Management.PowerShell.E2010' is not installed on this computer.")
	}
	return nil
}

// exchangeServer finds the Exchange server an Exchange cmdlet names;
// "" is the local server.
func (c *opCall) exchangeServer(cmdlet, name string) (*Host, *scriptError) {
	if name == "" {
		return c.host, nil
	}
	h, ok := c.org.Host(name)
	if !ok || h.Role != RoleExchange {
		return nil, cmdletError(cmdlet, "NotSpecified: (:) ["+cmdlet+"], ManagementObjectNotFoundException", "ManagementObjectNotFoundException",
			"The operation couldn't be performed because object '%s' couldn't be found on '%s'.", name, c.dcName())
	}
	return h, nil
}

func (c *opCall) dcName() string {
	if dc, ok := c.org.Host(c.host.DC); ok {
		return dc.FQDN
	}
	return c.host.FQDN
}

func connectorGet(_ context.Context, c *opCall) (any, *scriptError) {
	var args ops.ConnectorGetArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	if err := c.exchangeCall(); err != nil {
		return nil, err
	}
	h, err := c.exchangeServer("Get-ReceiveConnector", args.Server)
	if err != nil {
		return nil, err
	}
	res := ops.ConnectorGetResult{Connectors: []ops.Connector{}}
	for _, rc := range h.Connectors() {
		res.Connectors = append(res.Connectors, rc.opsConnector())
	}
	return res, nil
}

func connectorAddAuth(_ context.Context, c *opCall) (any, *scriptError) {
	var args ops.ConnectorAddAuthArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	if args.Identity == "" {
		return nil, thrown("exchange.connector.add_auth: identity is required")
	}
	if err := c.exchangeCall(); err != nil {
		return nil, err
	}
	server, name, ok := strings.Cut(args.Identity, `\`)
	if !ok {
		server, name = c.host.NetBIOS, args.Identity
	}
	h, serr := c.exchangeServer("Get-ReceiveConnector", server)
	if serr != nil {
		return nil, serr
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	i := h.connectorIndex(name)
	if i < 0 {
		return nil, cmdletError("Get-ReceiveConnector", "NotSpecified: (:) [Get-ReceiveConnector], ManagementObjectNotFoundException", "ManagementObjectNotFoundException",
			"The operation couldn't be performed because object '%s' couldn't be found on '%s'.", args.Identity, c.dcName())
	}
	before := h.connectors[i].clone()
	if args.Expect != nil {
		if !sameSet(before.AuthMechanism, args.Expect.AuthMechanism) || !sameSet(before.PermissionGroups, args.Expect.PermissionGroups) {
			return nil, thrown("stale: the receive connector changed since it was read")
		}
	}
	for _, list := range [][]string{args.AddAuthMechanism, args.AddPermissionGroups} {
		for _, v := range list {
			if strings.Trim(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" || v == "" {
				return nil, thrown("connector setting names are single words; got %s", v)
			}
		}
	}
	after, err := setAuth(before, args)
	if err != nil {
		return nil, cmdletError("Set-ReceiveConnector", "InvalidOperation: ("+before.Identity+":ReceiveConnector) [Set-ReceiveConnector], DataValidationException", "DataValidationException",
			"%s", err.Error())
	}
	h.connectors[i] = after
	return ops.ConnectorChange{Before: before.opsConnector(), After: after.opsConnector()}, nil
}

func queueGet(_ context.Context, c *opCall) (any, *scriptError) {
	var args ops.QueueGetArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	if err := c.exchangeCall(); err != nil {
		return nil, err
	}
	h, err := c.exchangeServer("Get-Queue", args.Server)
	if err != nil {
		return nil, err
	}
	res := ops.QueueGetResult{Queues: []ops.Queue{}}
	for _, q := range h.Queues() {
		res.Queues = append(res.Queues, q.opsQueue())
	}
	return res, nil
}

func queueRetry(_ context.Context, c *opCall) (any, *scriptError) {
	var args ops.QueueRetryArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	if err := c.exchangeCall(); err != nil {
		return nil, err
	}
	var failed []string
	for _, id := range args.Identities {
		server, _, _ := strings.Cut(id, `\`)
		h, ok := c.org.Host(server)
		if !ok || h.Role != RoleExchange {
			failed = append(failed, fmt.Sprintf("%s: The queue %s wasn't found.", id, id))
			continue
		}
		if _, err := c.org.retryQueue(h, id); err != nil {
			failed = append(failed, id+": "+err.Error())
		}
	}
	if len(failed) > 0 {
		return nil, thrown("exchange.queue.retry: Retry-Queue failed for %s", strings.Join(failed, "; "))
	}
	h, serr := c.exchangeServer("Get-Queue", args.Server)
	if serr != nil {
		return nil, serr
	}
	res := ops.QueueGetResult{Queues: []ops.Queue{}}
	for _, q := range h.Queues() {
		res.Queues = append(res.Queues, q.opsQueue())
	}
	return res, nil
}

// userScript cannot interpret a user's PowerShell: it answers with the
// input it received and the host it ran on, so callers can see the
// document travel.
func userScript(_ context.Context, c *opCall) (any, *scriptError) {
	var args ops.UserScriptArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	return map[string]any{"host": c.host.NetBIOS, "input": args.Input}, nil
}

func eventsQuery(_ context.Context, c *opCall) (any, *scriptError) {
	var args ops.EventsQueryArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	var since time.Time
	if args.Since != "" {
		t, err := time.Parse(time.RFC3339Nano, args.Since)
		if err != nil {
			return nil, cmdletError("Get-WinEvent", "InvalidArgument: (:) [Get-WinEvent], ParameterBindingException", "CannotConvertArgumentNoMessage",
				"Cannot bind parameter 'FilterHashtable'. Cannot convert value %q to type \"System.DateTime\".", args.Since)
		}
		since = t
	}
	c.host.mu.Lock()
	found, ok := c.host.events.query(args, since)
	c.host.mu.Unlock()
	if !ok {
		return nil, cmdletError("Get-WinEvent", "ObjectNotFound: ("+args.Log+":String) [Get-WinEvent], Exception", "NoMatchingLogsFound",
			"There is not an event log on the localhost computer that matches \"%s\".", args.Log)
	}
	res := ops.EventsQueryResult{Events: []ops.Event{}}
	for _, e := range found {
		res.Events = append(res.Events, opsEvent(e))
	}
	return res, nil
}

func replSyncAll(_ context.Context, c *opCall) (any, *scriptError) {
	var args ops.ReplSyncAllArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	if !hostNamePattern.MatchString(args.DC) {
		return nil, thrown("repl.syncall: dc must be a host name")
	}
	options := args.Options
	if options == "" {
		options = "AdeP"
	}
	if !letters.MatchString(options) {
		return nil, thrown("repl.syncall: options must be repadmin /syncall option letters such as AdeP")
	}
	argv := []string{"/syncall", args.DC, "/" + options}
	if c.host.Role != RoleDC {
		return nil, thrown(`repadmin %s: C:\Windows\System32\repadmin.exe is not installed`, strings.Join(argv, " "))
	}
	return ops.CommandOutput{Commands: []ops.CommandRun{c.nativeRun("repadmin", argv)}}, nil
}

var (
	hostNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	letters         = regexp.MustCompile(`^[A-Za-z]+$`)
)

func replShow(_ context.Context, c *opCall) (any, *scriptError) {
	var args ops.ReplShowArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	argv := []string{"/showrepl", "*", "/csv"}
	if c.host.Role != RoleDC {
		return nil, thrown(`repadmin %s: C:\Windows\System32\repadmin.exe is not installed`, strings.Join(argv, " "))
	}
	return ops.CommandOutput{Commands: []ops.CommandRun{c.nativeRun("repadmin", argv)}}, nil
}

func timeRead(_ context.Context, c *opCall) (any, *scriptError) {
	var args ops.TimeReadArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	skew, set := c.host.skewTime()
	return ops.TimeReading{
		UTC:             c.host.Now().Format("2006-01-02T15:04:05.0000000Z"),
		SkewTimeMinutes: int(skew.Minutes()),
		SkewTimeSet:     set,
		IsDC:            c.host.Role == RoleDC,
		PDCEmulator:     c.host.PDC,
	}, nil
}

func timeResync(ctx context.Context, c *opCall) (any, *scriptError) {
	var args ops.TimeResyncArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	config := []string{"/config", "/syncfromflags:domhier", "/update"}
	resync := []string{"/resync", "/rediscover"}
	out := ops.CommandOutput{Commands: []ops.CommandRun{c.nativeRun("w32tm", config)}}
	c.host.SetService("w32time", "Running")
	out.Commands = append(out.Commands, ops.CommandRun{Command: "Restart-Service w32time", Output: "Running"})
	out.Commands = append(out.Commands, c.nativeRun("w32tm", resync))
	return out, nil
}

// nativeRun runs a native program as the scripts' Invoke-NativeCommand
// does: its lines joined by LF, without the final line break.
func (c *opCall) nativeRun(program string, argv []string) ops.CommandRun {
	text, code := c.org.native(context.Background(), c.host, program, argv)
	text = strings.TrimSuffix(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	return ops.CommandRun{Command: program + " " + strings.Join(argv, " "), ExitCode: code, Output: text}
}

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

// reach answers one probe from a host by the simulated network.
func (o *Org) reach(from *Host, t ops.ReachTarget, timeoutMS int) ops.ReachOutcome {
	out := ops.ReachOutcome{Host: t.Host, Port: t.Port, Protocol: strings.ToLower(t.Protocol)}
	if timeoutMS <= 0 {
		timeoutMS = 1000
	}
	if out.Protocol != "tcp" && out.Protocol != "udp" {
		out.State = "error"
		out.Error = fmt.Sprintf("unknown protocol %q", t.Protocol)
		return out
	}
	to, ok := o.Host(t.Host)
	if !ok {
		out.State = "error"
		out.Error = "No such host is known."
		return out
	}
	blocked := from.Blocked(to.Name, t.Port, out.Protocol)
	listens := to.listens(t.Port, out.Protocol)
	switch {
	case out.Protocol == "tcp" && blocked:
		out.State, out.ElapsedMS = "filtered", timeoutMS
		out.Error = "A connection attempt failed because the connected party did not properly respond after a period of time."
	case out.Protocol == "tcp" && !listens:
		out.State, out.ElapsedMS = "closed", 1
		out.Error = "No connection could be made because the target machine actively refused it."
	case out.Protocol == "tcp":
		out.State, out.Reachable, out.ElapsedMS = "open", true, 1
	case blocked:
		out.State, out.ElapsedMS = "open|filtered", timeoutMS
	case !listens:
		out.State, out.ElapsedMS = "closed", 1
		out.Error = "An existing connection was forcibly closed by the remote host."
	default:
		out.State, out.Reachable, out.ElapsedMS = "open", true, 1
	}
	return out
}
