package lab

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Event sources of Kerberos failures.
const (
	providerKerberos = "Microsoft-Windows-Security-Kerberos"
	providerKDC      = "Microsoft-Windows-Kerberos-Key-Distribution-Center"
)

// logKerberosFailures logs what Windows logs of a failed authentication
// from sender to receiver besides the receiver's 1035:
//
//   - on the sender, event 3 for each Kerberos error, only while Kerberos
//     logging is on (LogLevel, KB 262177);
//   - on the sender, event 4 when the receiver could not decrypt the
//     ticket (KRB_AP_ERR_MODIFIED), logged whatever LogLevel says
//     *(unverified)*;
//   - on the sender's KDC, event 11 for each SPN of the receiver that more
//     than one account holds (KDCEVENT_NAME_NOT_UNIQUE, Microsoft Learn,
//     "Event ID 11 — Service Principal Name Configuration"), when the KDC
//     was asked (a duplicate among the causes).
func (o *Org) logKerberosFailures(sender, receiver *Host, causes []Cause, at time.Time) {
	var codes []string
	duplicate := false
	for _, c := range causes {
		if c.KerberosCode != "" && !slices.Contains(codes, c.KerberosCode) {
			codes = append(codes, c.KerberosCode)
		}
		duplicate = duplicate || c.Kind == CauseSPNDuplicate
	}
	if sender.kerberosLogging() {
		for _, code := range codes {
			sender.LogEvent(kerberosEvent(o, sender, receiver, code, at))
		}
	}
	if slices.Contains(codes, "0x29") {
		sender.LogEvent(apModifiedEvent(o, sender, receiver, at))
	}
	if kdc, ok := o.Host(sender.DC); ok && duplicate {
		for _, spn := range requiredSPNs(receiver) {
			if len(o.accounts.Holders(spn)) > 1 {
				kdc.LogEvent(duplicateNameEvent(kdc, spn))
			}
		}
	}
}

// apModifiedEvent is the Kerberos client's event 4: the server could not
// decrypt the ticket (KRB_AP_ERR_MODIFIED). Its insertion strings are the
// server, the target realm, the target name and the client realm, in the
// order of its message ("... from the server %1. The target name used was
// %3. ... the target domain (%2) ... the client domain (%4)", public
// captures of the message); their field names are unverified.
func apModifiedEvent(o *Org, sender, receiver *Host, at time.Time) Event {
	realm := strings.ToUpper(o.Domain)
	server := receiver.NetBIOS + "$"
	target := "SMTPSVC/" + receiver.FQDN
	return Event{
		Log: "System", Provider: providerKerberos, ID: 4, Time: at, Level: LevelError,
		Message: fmt.Sprintf("The Kerberos client received a KRB_AP_ERR_MODIFIED error from the server %s. The target name used was %s. This indicates that the target server failed to decrypt the ticket provided by the client. This can occur when the target server principal name (SPN) is registered on an account other than the account the target service is using. Ensure that the target SPN is only registered on the account used by the server. This error can also happen if the target service account password is different than what is configured on the Kerberos Key Distribution Center for that target service. Ensure that the service on the server and the KDC are both configured to use the same password. If the server name is not fully qualified, and the target domain (%s) is different from the client domain (%s), check if there are identically named server accounts in these two domains, or use the fully-qualified name to identify the server.",
			server, target, realm, realm),
		Data: map[string]string{"Server": server, "TargetRealm": realm, "Targetname": target, "ClientRealm": realm},
	}
}

// duplicateNameEvent is the KDC's event 11 for a name several accounts
// hold: "The KDC encountered duplicate names while processing a Kerberos
// authentication request. The duplicate name is %1 (of type %2). ...",
// whose insertion strings are unnamed (param1, param2 as events.query
// reads them).
func duplicateNameEvent(kdc *Host, spn string) Event {
	return Event{
		Log: "System", Provider: providerKDC, ID: 11, Time: kdc.Now(), Level: LevelError,
		Message: fmt.Sprintf("The KDC encountered duplicate names while processing a Kerberos authentication request. The duplicate name is %s (of type DS_SERVICE_PRINCIPAL_NAME). This may result in authentication failures or downgrades to NTLM. In order to prevent this from occuring remove the duplicate entries for %s in Active Directory.", spn, spn),
		Data:    map[string]string{"param1": spn, "param2": "DS_SERVICE_PRINCIPAL_NAME"},
	}
}
