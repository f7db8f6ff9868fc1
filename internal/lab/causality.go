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
)

// kerberosErrors names the Kerberos error codes the lab logs.
var kerberosErrors = map[string]string{
	"0x7":  "KDC_ERR_S_PRINCIPAL_UNKNOWN",
	"0x25": "KRB_AP_ERR_SKEW",
	"0x34": "KRB_ERR_RESPONSE_TOO_BIG",
}

// Causes lists every cause that currently stops sender from authenticating
// to receiver, in the KB's order. An empty list means mail flows.
func (o *Org) Causes(sender, receiver *Host) []Cause {
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
	for i := 0; i < len(clocks); i++ {
		for j := i + 1; j < len(clocks); j++ {
			d := clocks[i].ClockOffset() - clocks[j].ClockOffset()
			if d < 0 {
				d = -d
			}
			if d > tol {
				out = append(out, Cause{Kind: CauseClockSkew, KerberosCode: "0x25",
					Detail: fmt.Sprintf("the clocks of %s and %s are %s apart, over the %s Kerberos tolerance", clocks[i].Name, clocks[j].Name, d.Round(time.Second), tol)})
			}
		}
	}

	// Replication: SPN writes the sender's DC has not received.
	if dc != nil {
		if pending := o.PendingReplication(dc.Name); len(pending) > 0 {
			out = append(out, Cause{Kind: CauseNotReplicated, KerberosCode: "0x7",
				Detail: fmt.Sprintf("%s has not received the SPN changes made on %s", dc.Name, strings.Join(pending, ", "))})
		}
	}

	// SPNs: present on the receiver's account and nowhere else.
	sam := receiver.NetBIOS + "$"
	acct, found := o.accounts.Account(sam)
	for _, spn := range requiredSPNs(receiver) {
		if !found || !hasFold(acct.SPNs, spn) {
			out = append(out, Cause{Kind: CauseSPNMissing, KerberosCode: "0x7",
				Detail: fmt.Sprintf("%s is not registered on %s", spn, sam)})
			continue
		}
		for _, other := range o.accounts.Holders(spn) {
			if !strings.EqualFold(other.DN, acct.DN) {
				out = append(out, Cause{Kind: CauseSPNDuplicate, KerberosCode: "0x7",
					Detail: fmt.Sprintf("%s is also registered on %s", spn, other.SAMAccountName)})
			}
		}
	}

	// Ports: Kerberos over TCP from the sender to its DC.
	if dc != nil && sender.Blocked(dc.Name, 88, "tcp") {
		out = append(out, Cause{Kind: CauseKerberosPort, KerberosCode: "0x34",
			Detail: fmt.Sprintf("TCP 88 from %s to %s is blocked", sender.Name, dc.Name)})
	}

	// Connector: Exchange Server authentication on Default <Receiver>.
	name := "Default " + receiver.NetBIOS
	c, ok := receiver.Connector(name)
	if !ok || !c.acceptsExchangeAuth() {
		out = append(out, Cause{Kind: CauseConnectorAuth,
			Detail: fmt.Sprintf("receive connector %s\\%s does not accept Exchange Server authentication from ExchangeServers", receiver.NetBIOS, name)})
	}
	return out
}

// retryQueue re-evaluates one queue of sender, as Retry-Queue does: while a
// cause remains the queue keeps the 454 error and the attempt is logged
// (event 1035 on the receiver, Kerberos errors on the sender when Kerberos
// logging is on); once none remains the queue drains.
func (o *Org) retryQueue(sender *Host, identity string) (Queue, error) {
	q, ok := sender.Queue(identity)
	if !ok {
		return Queue{}, fmt.Errorf("The queue %s wasn't found.", identity)
	}
	receiver, ok := o.Host(q.Receiver)
	if !ok {
		return q, nil
	}
	causes := o.Causes(sender, receiver)
	o.recordAttempt(sender, receiver, causes, sender.Now())
	sender.mu.Lock()
	defer sender.mu.Unlock()
	for i := range sender.queues {
		if !strings.EqualFold(sender.queues[i].Identity, identity) {
			continue
		}
		if len(causes) > 0 {
			sender.queues[i].Status = QueueRetry
			sender.queues[i].LastError = Error454
			if sender.queues[i].MessageCount == 0 {
				sender.queues[i].MessageCount = 1
			}
		} else {
			sender.queues[i].Status = QueueReady
			sender.queues[i].MessageCount = 0
			sender.queues[i].LastError = ""
		}
		return sender.queues[i], nil
	}
	return q, nil
}

// recordAttempt logs a failed delivery attempt on both ends.
func (o *Org) recordAttempt(sender, receiver *Host, causes []Cause, at time.Time) {
	if len(causes) == 0 {
		return
	}
	receiver.LogEvent(event1035(receiver, sender, receiver.Now()))
	o.logKerberosFailures(sender, receiver, causes, at)
}

// event1035 is the receiver's record of a refused Exchange authentication.
func event1035(receiver, sender *Host, at time.Time) Event {
	connector := "Default " + receiver.NetBIOS
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
