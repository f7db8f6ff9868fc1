package lab

import (
	"fmt"
	"regexp"
	"strings"
)

// logonIDPattern matches a logon session as klist -li takes it.
var logonIDPattern = regexp.MustCompile(`^0x[0-9a-fA-F]{1,16}$`)

// knownLogons are the logon sessions every Windows host has: SYSTEM, LOCAL
// SERVICE and NETWORK SERVICE.
var knownLogons = map[string]bool{"0x3e7": true, "0x3e5": true, "0x3e4": true}

// klistUsage is klist's answer to arguments it does not take.
const klistUsage = "\r\nUsage: klist [-lh <LogonId.HighPart>] [-li <LogonId.LowPart>] tickets | tgt | purge | sessions | kcd_cache | get <ServiceName> | add_bind <DomainName> <DomainControllerName> | query_bind | purge_bind\r\n"

// klist answers klist [-li <id>] tickets | purge | get <spn>, in the form of
// Microsoft's klist documentation (the exact layout is _unverified):
// tickets lists the tickets a logon session holds, purge empties its
// cache, and get asks the KDC for a ticket to another Exchange server's
// SMTPSVC SPN, which it issues when no Kerberos cause stands between them.
func (o *Org) klist(h *Host, argv []string) (string, int) {
	const head = "\r\nCurrent LogonId is 0:0x3e7\r\n"
	logon := ""
	if len(argv) >= 2 && strings.EqualFold(argv[0], "-li") {
		logon, argv = strings.ToLower(argv[1]), argv[2:]
	}
	verb := "tickets"
	if len(argv) > 0 {
		verb = strings.ToLower(argv[0])
	}
	if logon != "" {
		if !logonIDPattern.MatchString(logon) || !knownLogons[logon] {
			return head + fmt.Sprintf("Targeted LogonId is 0:%s\r\nklist failed with 0xc000005f/-1073741729: A specified logon session does not exist. It may already have been terminated.\r\n", logon), 1
		}
	}
	targeted := ""
	if logon != "" {
		targeted = fmt.Sprintf("Targeted LogonId is 0:%s\r\n", logon)
	}
	switch {
	case verb == "tickets" && len(argv) <= 1:
		return head + targeted + o.klistTickets(h, logon), 0
	case verb == "purge" && len(argv) == 1:
		if logon != "" {
			h.PurgeTickets(logon)
		}
		return head + targeted + "\tDeleting all tickets:\r\n\tTicket(s) purged!\r\n", 0
	case verb == "get" && len(argv) == 2:
		return o.klistGet(h, head, argv[1])
	}
	return head + klistUsage, 1
}

// klistTickets lists the unexpired tickets of a logon session; the WinRM
// session's own logon ("") holds none.
func (o *Org) klistTickets(h *Host, logon string) string {
	var tickets []CachedTicket
	if logon != "" {
		tickets = h.Tickets(logon)
	}
	realm := strings.ToUpper(o.Domain)
	var b strings.Builder
	fmt.Fprintf(&b, "\r\nCached Tickets: (%d)\r\n", len(tickets))
	for i, t := range tickets {
		fmt.Fprintf(&b, "\r\n#%d>\tClient: %s$ @ %s\r\n\tServer: %s @ %s\r\n\tKerbTicket Encryption Type: AES-256-CTS-HMAC-SHA1-96\r\n\tStart Time: %s (local)\r\n\tEnd Time:   %s (local)\r\n\tCache Flags: 0\r\n",
			i, h.NetBIOS, realm, t.SPN, realm, t.Issued.Format("1/2/2006 15:04:05"), t.Expires.Format("1/2/2006 15:04:05"))
	}
	return b.String()
}

// klistGet asks the KDC for a ticket to spn, as a request from the
// caller's own session does: the Transport service's cache is not used.
func (o *Org) klistGet(h *Host, head, spn string) (string, int) {
	_, target, _ := strings.Cut(spn, "/")
	receiver, ok := o.Host(target)
	failed := func(status, text string) (string, int) {
		return head + "Error calling API LsaCallAuthenticationPackage (GetTicket substatus): 0x6fb\r\n\r\n" +
			fmt.Sprintf("klist failed with %s: %s\r\n", status, text), 1
	}
	if !ok || len(o.accounts.Holders(spn)) == 0 {
		return failed("0xc000018b/-1073741429", "The SAM database on the Windows Server does not have a computer account for this workstation trust relationship.")
	}
	if receiver.Role == RoleExchange && h.Role == RoleExchange {
		causes, _ := o.attemptCauses(h, receiver, false)
		for _, c := range causes {
			switch c.Kind {
			case CauseClockSkew:
				return failed("0xc0000133/-1073741517", "The time at the Primary Domain Controller is different than the time at the Backup Domain Controller or member server by too large an amount.")
			case CauseSPNMissing, CauseSPNDuplicate, CauseNotReplicated:
				return failed("0xc000018b/-1073741429", "The SAM database on the Windows Server does not have a computer account for this workstation trust relationship.")
			case CauseKerberosPort:
				return failed("0xc000005e/-1073741730", "There are currently no logon servers available to service the logon request.")
			}
		}
	}
	realm := strings.ToUpper(o.Domain)
	return head + fmt.Sprintf("A ticket to %s has been retrieved successfully.\r\n\r\nCached Tickets: (2)\r\n\r\n#0>\tClient: %s$ @ %s\r\n\tServer: krbtgt/%s @ %s\r\n\tKerbTicket Encryption Type: AES-256-CTS-HMAC-SHA1-96\r\n\r\n#1>\tClient: %s$ @ %s\r\n\tServer: %s @ %s\r\n\tKerbTicket Encryption Type: AES-256-CTS-HMAC-SHA1-96\r\n",
		spn, h.NetBIOS, realm, realm, realm, h.NetBIOS, realm, spn, realm), 0
}
