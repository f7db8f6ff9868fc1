package lab

import (
	"fmt"
	"strings"
	"time"
)

// Cause is one reason why a sending Exchange server cannot authenticate to
// a receiving one.
type Cause struct {
	Kind string
	// KerberosCode is the Kerberos error the sender's Kerberos client logs
	// ("0x7"), or "" for causes outside Kerberos.
	KerberosCode string
	// Detail says what is wrong, naming the hosts, SPNs or ports.
	Detail string
}

// The kinds of Cause.
const (
	CauseSPNMissing    = "spn-missing"
	CauseSPNDuplicate  = "spn-duplicate"
	CauseNotReplicated = "spn-not-replicated"
	CauseClockSkew     = "clock-skew"
	CauseKerberosPort  = "kerberos-port-blocked"
	CauseConnectorAuth = "connector-auth"
	// CauseStaleTicket: the sender holds a ticket issued for another account
	// than the receiver's.
	CauseStaleTicket = "stale-ticket"
)

// kerberosErrors names the Kerberos error codes the lab logs.
var kerberosErrors = map[string]string{
	"0x7":  "KDC_ERR_S_PRINCIPAL_UNKNOWN",
	"0x25": "KRB_AP_ERR_SKEW",
	"0x29": "KRB_AP_ERR_MODIFIED",
	"0x34": "KRB_ERR_RESPONSE_TOO_BIG",
}

// Causes lists every cause that currently stops sender from authenticating
// to receiver, in the KB's order. An empty list means mail flows.
func (o *Org) Causes(sender, receiver *Host) []Cause {
	causes, _ := o.attemptCauses(sender, receiver, true)
	return causes
}

// attemptCauses lists the causes of Causes and the service ticket the
// sender's KDC issues for the attempt: nil when the sender uses a ticket it
// holds, or when the KDC issues none. The sender's Transport service asks
// for a ticket to SMTPSVC/<receiver> only when it holds no unexpired one;
// a held ticket is used whatever has changed since, and the receiver
// refuses one issued for another account (KRB_AP_ERR_MODIFIED). The KDC
// (the sender's DC) issues a ticket for the one account that holds the SPN
// in its copy of the directory, and none when no account or several do
// (KDC_ERR_S_PRINCIPAL_UNKNOWN; the KDC logs the duplicate). Without
// useCache the KDC is asked whatever the Transport service holds, as a
// ticket request from another logon session is.
func (o *Org) attemptCauses(sender, receiver *Host, useCache bool) ([]Cause, *CachedTicket) {
	var out []Cause
	dc, _ := o.Host(sender.DC)

	// Clocks: sender, receiver and the sender's DC within SkewTime.
	tol, _ := receiver.skewTime()
	clocks := []*Host{sender, receiver}
	if dc != nil {
		if t, _ := dc.skewTime(); t < tol {
			tol = t
		}
		clocks = append(clocks, dc)
	}
	skewed := false
	for i := 0; i < len(clocks); i++ {
		for j := i + 1; j < len(clocks); j++ {
			d := clocks[i].ClockOffset() - clocks[j].ClockOffset()
			if d < 0 {
				d = -d
			}
			if d > tol {
				skewed = true
				out = append(out, Cause{Kind: CauseClockSkew, KerberosCode: "0x25",
					Detail: fmt.Sprintf("the clocks of %s and %s are %s apart, over the %s Kerberos tolerance", clocks[i].Name, clocks[j].Name, d.Round(time.Second), tol)})
			}
		}
	}

	sam := receiver.NetBIOS + "$"
	spn := transportSPN(receiver)
	if held, ok := sender.cachedTicket(transportLogon, spn); ok && useCache {
		// The KDC is not asked: the held ticket decides.
		if !strings.EqualFold(held.Account, sam) {
			out = append(out, Cause{Kind: CauseStaleTicket, KerberosCode: "0x29",
				Detail: fmt.Sprintf("%s holds a ticket for %s issued for %s at %s, which %s cannot decrypt; it lasts until %s unless purged",
					sender.Name, spn, held.Account, held.Issued.Format(time.RFC3339), sam, held.Expires.Format(time.RFC3339))})
		}
		out = append(out, o.connectorCauses(sender, receiver)...)
		return out, nil
	}

	kdcRefuses := skewed
	// Replication: SPN writes the sender's DC has not received.
	if dc != nil {
		if pending := o.PendingReplication(dc.Name); len(pending) > 0 {
			kdcRefuses = true
			out = append(out, Cause{Kind: CauseNotReplicated, KerberosCode: "0x7",
				Detail: fmt.Sprintf("%s has not received the SPN changes made on %s", dc.Name, strings.Join(pending, ", "))})
		}
	}

	// SPNs: present on the receiver's account and nowhere else.
	acct, found := o.accounts.Account(sam)
	var issuedFor string
	for _, want := range requiredSPNs(receiver) {
		holders := o.accounts.Holders(want)
		if !found || !hasFold(acct.SPNs, want) {
			code := "0x7"
			if len(holders) == 1 {
				// The KDC issues a ticket for the account that holds it.
				code = "0x29"
				if strings.EqualFold(want, spn) {
					issuedFor = holders[0].SAMAccountName
				}
			}
			out = append(out, Cause{Kind: CauseSPNMissing, KerberosCode: code,
				Detail: fmt.Sprintf("%s is not registered on %s", want, sam)})
			continue
		}
		if strings.EqualFold(want, spn) && len(holders) == 1 {
			issuedFor = sam
		}
		for _, other := range holders {
			if !strings.EqualFold(other.DN, acct.DN) {
				out = append(out, Cause{Kind: CauseSPNDuplicate, KerberosCode: "0x7",
					Detail: fmt.Sprintf("%s is also registered on %s", want, other.SAMAccountName)})
			}
		}
	}

	// Ports: Kerberos over TCP from the sender to its DC.
	if dc != nil && sender.Blocked(dc.Name, 88, "tcp") {
		kdcRefuses = true
		out = append(out, Cause{Kind: CauseKerberosPort, KerberosCode: "0x34",
			Detail: fmt.Sprintf("TCP 88 from %s to %s is blocked", sender.Name, dc.Name)})
	}

	var issued *CachedTicket
	if !kdcRefuses && issuedFor != "" {
		now := sender.Now()
		issued = &CachedTicket{SPN: spn, Account: issuedFor, Issued: now, Expires: now.Add(ticketLifetime)}
	}
	return append(out, o.connectorCauses(sender, receiver)...), issued
}

// connectorCauses checks the receive connector Exchange hands the sender's
// connection to: it must accept Exchange Server authentication from the
// ExchangeServers permission group.
func (o *Org) connectorCauses(sender, receiver *Host) []Cause {
	c, ok := receiver.ConnectorFor(sender.IP, ExchangeServerPort)
	switch {
	case !ok:
		return []Cause{{Kind: CauseConnectorAuth,
			Detail: fmt.Sprintf("no receive connector of %s takes connections from %s on port %d", receiver.NetBIOS, sender.IP, ExchangeServerPort)}}
	case !c.acceptsExchangeAuth():
		return []Cause{{Kind: CauseConnectorAuth,
			Detail: fmt.Sprintf("receive connector %s, which takes %s's connections, does not accept Exchange Server authentication from ExchangeServers", c.Identity, sender.Name)}}
	}
	return nil
}

// retryQueue does what Retry-Queue does to one queue of sender: a queue in
// Retry status becomes Active and a delivery attempt starts, whose outcome
// lands on the queue a moment later (see settleQueues); a queue in any
// other status is left as it is. It reports whether the queue was retried.
func (o *Org) retryQueue(sender *Host, identity string) (bool, error) {
	q, ok := sender.Queue(identity)
	if !ok {
		return false, fmt.Errorf("The queue %s wasn't found.", identity)
	}
	if q.Status != QueueRetry {
		return false, nil
	}
	failed := false
	if receiver, ok := o.Host(q.Receiver); ok {
		failed = o.attempt(sender, receiver)
	}
	at := sender.Now()
	sender.mu.Lock()
	defer sender.mu.Unlock()
	for i := range sender.queues {
		if strings.EqualFold(sender.queues[i].Identity, identity) {
			sender.queues[i].Status = QueueActive
			sender.queues[i].attempt = &deliveryAttempt{due: time.Now().Add(o.attemptDelay), at: at, failed: failed}
		}
	}
	return true, nil
}

// attempt makes one delivery attempt from sender to receiver: the sender
// uses the ticket it holds or gets one from its KDC (and keeps it), the
// failure is logged on both ends, and it reports whether the attempt
// failed.
func (o *Org) attempt(sender, receiver *Host) bool {
	causes, issued := o.attemptCauses(sender, receiver, true)
	if issued != nil {
		sender.CacheTicket(transportLogon, *issued)
	}
	o.recordAttempt(sender, receiver, causes, sender.Now())
	return len(causes) > 0
}

// settleQueues lands the outcome of every delivery attempt of h whose time
// has come: a failed attempt leaves the queue in Retry with the 454 error
// and a new retry time, a successful one drains it.
func (o *Org) settleQueues(h *Host) {
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	for i := range h.queues {
		q := &h.queues[i]
		if q.attempt == nil || now.Before(q.attempt.due) {
			continue
		}
		q.LastRetryTime = q.attempt.at
		if q.attempt.failed {
			q.Status, q.LastError = QueueRetry, Error454
			q.NextRetryTime = q.attempt.at.Add(retryInterval)
			if q.MessageCount == 0 {
				q.MessageCount = 1
			}
		} else {
			q.Status, q.MessageCount, q.LastError = QueueReady, 0, ""
			q.NextRetryTime = time.Time{}
		}
		q.attempt = nil
	}
}

// recordAttempt logs a failed delivery attempt on both ends.
func (o *Org) recordAttempt(sender, receiver *Host, causes []Cause, at time.Time) {
	if len(causes) == 0 {
		return
	}
	receiver.LogEvent(event1035(receiver, sender, receiver.Now()))
	o.logKerberosFailures(sender, receiver, causes, at)
}

// event1035 is the receiver's record of a refused Exchange authentication:
// it names the receive connector that took the sender's connection.
func event1035(receiver, sender *Host, at time.Time) Event {
	connector := "Default " + receiver.NetBIOS
	if c, ok := receiver.ConnectorFor(sender.IP, ExchangeServerPort); ok {
		connector = c.Name
	}
	return Event{
		Log:      "Application",
		Provider: "MSExchangeTransport",
		ID:       1035,
		Time:     at,
		Level:    LevelError,
		Category: "SmtpReceive",
		Message: fmt.Sprintf("Inbound authentication failed with error IllegalMessage for Receive connector %s. The authentication mechanism is ExchangeAuth. The source IP address of the client who tried to authenticate to Microsoft Exchange is [%s].",
			connector, sender.IP),
		// Classic events carry unnamed insertion strings; events.query
		// names them param1, param2, ... in order.
		Data: map[string]string{
			"param1": "IllegalMessage",
			"param2": connector,
			"param3": "ExchangeAuth",
			"param4": sender.IP,
		},
	}
}

// kerberosEvent is the sender's Kerberos error record (event 3 of
// Microsoft-Windows-Security-Kerberos), as logged with LogLevel 1.
func kerberosEvent(o *Org, sender, receiver *Host, code string, at time.Time) Event {
	name := kerberosErrors[code]
	realm := strings.ToUpper(o.Domain)
	target := "SMTPSVC/" + receiver.FQDN
	server := target
	if code == "0x7" {
		server = "krbtgt/" + realm
	}
	return Event{
		Log:      "System",
		Provider: "Microsoft-Windows-Security-Kerberos",
		ID:       3,
		Time:     at,
		Level:    LevelError,
		Message: fmt.Sprintf("A Kerberos error message was received:\r\n on logon session %s\\%s$\r\n Client Time: \r\n Server Time: %s\r\n Error Code: %s %s\r\n Extended Error: \r\n Client Realm: \r\n Client Name: \r\n Server Realm: %s\r\n Server Name: %s\r\n Target Name: %s@%s\r\n Error Text: \r\n File: 9\r\n Line: f09\r\n Error Data is in record data.",
			o.NetBIOS, sender.NetBIOS, at.Format("15:04:05.0000 1/2/2006 Z"), code, name, realm, server, target, realm),
		Data: map[string]string{
			"LogonSession": o.NetBIOS + `\` + sender.NetBIOS + "$",
			"ServerTime":   at.Format("15:04:05.0000 1/2/2006 Z"),
			"ErrorCode":    code,
			"ErrorMessage": name,
			"ServerRealm":  realm,
			"ServerName":   server,
			"TargetName":   target + "@" + realm,
			"ClientName":   sender.NetBIOS + "$",
			"ClientRealm":  realm,
		},
	}
}
