package lab

import (
	"context"
	"fmt"
	"strings"

	"github.com/rectifyhq/rectify/ops"
)

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
