package lab

import (
	"fmt"
	"strings"
)

// klist answers klist get <spn> from an Exchange server: a ticket for
// another Exchange server's SMTPSVC SPN can be had when no Kerberos cause
// stands between them (the output follows Windows' text; unverified).
func (o *Org) klist(h *Host, argv []string) (string, int) {
	const head = "\r\nCurrent LogonId is 0:0x3e7\r\n"
	if len(argv) != 2 || !strings.EqualFold(argv[0], "get") {
		return head + "\r\nUsage: klist [-lh <LogonId.HighPart>] [-li <LogonId.LowPart>] tickets | tgt | purge | sessions | kcd_cache | get <ServiceName> | add_bind <DomainName> <DomainControllerName> | query_bind | purge_bind\r\n", 1
	}
	spn := argv[1]
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
		for _, c := range o.Causes(h, receiver) {
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
