package lab

import (
	"context"
	"crypto/subtle"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/ops"
)

// credentialCheck is the account the lab's hosts accept: Exchange's
// management endpoint takes it as an explicit credential.
type credentialCheck struct {
	user, password string
}

// accepts reports whether cred names the account with its password. The
// user may be written DOMAIN\user, user@domain or user, in any case.
func (a credentialCheck) accepts(cred *ops.Credential) bool {
	if cred == nil || a.user == "" {
		return false
	}
	short := func(s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		if _, after, ok := strings.Cut(s, `\`); ok {
			s = after
		}
		before, _, _ := strings.Cut(s, "@")
		return before
	}
	return short(cred.User) == short(a.user) && subtle.ConstantTimeCompare([]byte(cred.Password), []byte(a.password)) == 1
}

// exchangeCall checks that the Exchange cmdlets an op uses can run on the
// host, the way the op's script reaches them.
//
// Version 1 scripts load the Exchange snap-in into the WinRM session. Its
// cmdlets read and write Active Directory as the caller, from this host: a
// second hop, which a network logon (NTLM, Basic, Kerberos without
// delegation) has no credentials for, so its LDAP bind fails (and loading
// the snap-in for anything but transport agents is unsupported on
// Exchange 2013 and later). Only a session holding delegated credentials
// gets through.
//
// Version 2 scripts open Exchange's own management endpoint,
// http://<fqdn>/PowerShell/, with an explicit credential: the cmdlets run
// in Exchange's process, which reaches Active Directory as the Exchange
// server. Without a credential the session's own logon is used, which
// cannot authenticate to the endpoint unless it holds delegated
// credentials. The error texts are modelled on Windows' (_unverified: no
// capture from a real server is at hand).
func (c *opCall) exchangeCall(ctx context.Context, cmdlet string, endpoint ops.ExchangeEndpoint, cred *ops.Credential) *scriptError {
	if c.host.Role != RoleExchange {
		if c.version < 2 {
			return cmdletError("Add-PSSnapin", "InvalidArgument: (Microsoft.Excha...owerShell.SnapIn:String) [Add-PSSnapin], PSArgumentException", "AddPSSnapInRead",
				"The Windows PowerShell snap-in 'Microsoft.Exchange.Management.PowerShell.E2010' is not installed on this computer.")
		}
	}
	logon := logonFrom(ctx)
	if c.version < 2 {
		if logon.CanAuthenticateOnwards() {
			return nil
		}
		return cmdletError(cmdlet, "NotSpecified: (:) ["+cmdlet+"], ADTransientException", "ADTransientException",
			"Active Directory server %s is not available. Error message: A local error occurred.", c.dcName())
	}
	target, err := url.Parse(endpoint.ConnectionURI)
	if err != nil || target.Scheme != "http" || !strings.EqualFold(target.Path, "/PowerShell/") {
		return thrown(`exchange endpoint: "%s" is not http://<fqdn>/PowerShell/`, endpoint.ConnectionURI)
	}
	server, ok := c.org.Host(target.Hostname())
	openFailed := func(code, text string) *scriptError {
		return cmdletError("New-PSSession", "OpenError: (System.Manageme....RemoteRunspace:RemoteRunspace) [New-PSSession], PSRemotingTransportException", code+",PSSessionOpenFailed",
			"[%s] Connecting to remote server %s failed with the following error message : %s For more information, see the about_Remote_Troubleshooting Help topic.", target.Hostname(), target.Hostname(), text)
	}
	switch {
	case !ok:
		return openFailed("-2144108103", "The WinRM client cannot process the request because the server name cannot be resolved.")
	case server.Role != RoleExchange:
		return openFailed("-2144108250", "The WS-Management service cannot process the request. Cannot find the Microsoft.Exchange session configuration in the WSMan: drive on the "+server.NetBIOS+" computer.")
	case cred != nil && cred.User != "":
		if !c.org.account.accepts(cred) {
			return openFailed("1326", "The user name or password is incorrect.")
		}
	case !logon.CanAuthenticateOnwards():
		return openFailed("1312", "WinRM cannot process the request. The following error with errorcode 0x8009030e occurred while using Kerberos authentication: A specified logon session does not exist. It may already have been terminated.")
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

func connectorGet(ctx context.Context, c *opCall) (any, *scriptError) {
	var args ops.ConnectorGetArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	if err := c.exchangeCall(ctx, "Get-ReceiveConnector", args.Endpoint, args.Credential); err != nil {
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

func connectorAddAuth(ctx context.Context, c *opCall) (any, *scriptError) {
	var args ops.ConnectorAddAuthArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	if args.Identity == "" {
		return nil, thrown("exchange.connector.add_auth: identity is required")
	}
	if err := c.exchangeCall(ctx, "Get-ReceiveConnector", args.Endpoint, args.Credential); err != nil {
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
	if c.org.connectors != nil {
		// Set-ReceiveConnector writes the connector's directory object.
		if err := c.org.connectors.PutConnector(after); err != nil {
			return nil, cmdletError("Set-ReceiveConnector", "NotSpecified: (:) [Set-ReceiveConnector], ADOperationException", "ADOperationException",
				"Active Directory operation failed on %s: %v", c.dcName(), err)
		}
	}
	h.connectors[i] = after
	return ops.ConnectorChange{Before: before.opsConnector(), After: after.opsConnector()}, nil
}

// queuesOf reads a server's queues as Get-Queue does, with the outcome of
// every attempt whose time has come.
func (c *opCall) queuesOf(h *Host) []ops.Queue {
	c.org.settleQueues(h)
	out := []ops.Queue{}
	for _, q := range h.Queues() {
		out = append(out, q.opsQueue())
	}
	return out
}

func queueGet(ctx context.Context, c *opCall) (any, *scriptError) {
	var args ops.QueueGetArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	if err := c.exchangeCall(ctx, "Get-Queue", args.Endpoint, args.Credential); err != nil {
		return nil, err
	}
	h, err := c.exchangeServer("Get-Queue", args.Server)
	if err != nil {
		return nil, err
	}
	return ops.QueueGetResult{Queues: c.queuesOf(h)}, nil
}

// queuePoll is how often the lab's exchange.queue.retry reads the queues
// again while it waits; the script's own poll_seconds is for real servers.
const queuePoll = 50 * time.Millisecond

func queueRetry(ctx context.Context, c *opCall) (any, *scriptError) {
	var args ops.QueueRetryArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	if err := c.exchangeCall(ctx, "Retry-Queue", args.Endpoint, args.Credential); err != nil {
		return nil, err
	}
	h, serr := c.exchangeServer("Get-Queue", args.Server)
	if serr != nil {
		return nil, serr
	}
	start := h.Now()
	res := ops.QueueRetryResult{Retried: []string{}}
	c.org.settleQueues(h)
	for _, q := range h.Queues() {
		if !hasFold(args.Identities, q.Identity) || q.Status != QueueRetry {
			continue
		}
		if retried, err := c.org.retryQueue(h, q.Identity); err != nil {
			return nil, cmdletError("Retry-Queue", "NotSpecified: (:) [Retry-Queue], QueueNotFoundException", "QueueNotFoundException", "%s", err.Error())
		} else if retried {
			res.Retried = append(res.Retried, q.Identity)
		}
	}
	deadline := time.Now().Add(time.Duration(max(args.WaitSeconds, 0)) * time.Second)
	for {
		res.Queues = c.queuesOf(h)
		res.Settled = true
		for _, id := range args.Identities {
			if q, ok := h.Queue(id); ok && !q.settled(start) {
				res.Settled = false
			}
		}
		if res.Settled || !time.Now().Before(deadline) {
			return res, nil
		}
		select {
		case <-ctx.Done():
			return nil, thrown("The pipeline has been stopped.")
		case <-time.After(queuePoll):
		}
	}
}

// kerberosTickets answers kerberos.tickets: klist -li <id> tickets.
func kerberosTickets(_ context.Context, c *opCall) (any, *scriptError) {
	return c.klistRuns("tickets")
}

// kerberosPurge answers kerberos.purge: klist -li <id> purge.
func kerberosPurge(_ context.Context, c *opCall) (any, *scriptError) {
	return c.klistRuns("purge")
}

func (c *opCall) klistRuns(verb string) (any, *scriptError) {
	var args ops.TicketsListArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	res := ops.CommandOutput{Commands: []ops.CommandRun{}}
	for _, id := range args.LogonIDs {
		if !logonIDPattern.MatchString(id) {
			return nil, thrown(`logon session "%s" is not a LUID such as 0x3e7`, id)
		}
		out, code := c.org.klist(c.host, []string{"-li", id, verb})
		res.Commands = append(res.Commands, ops.CommandRun{Command: fmt.Sprintf("klist -li %s %s", id, verb), ExitCode: code, Output: strings.ReplaceAll(out, "\r\n", "\n")})
	}
	return res, nil
}

// hostAddresses answers host.addresses: the host's own address.
func hostAddresses(_ context.Context, c *opCall) (any, *scriptError) {
	var args ops.HostAddressesArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	res := ops.HostAddressesResult{Addresses: []string{}}
	if c.host.IP != "" {
		res.Addresses = append(res.Addresses, c.host.IP)
	}
	return res, nil
}
