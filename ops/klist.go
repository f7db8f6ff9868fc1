package ops

import (
	"regexp"
	"strconv"
	"strings"
)

// klistTicket starts a ticket entry of klist's listing ("#0>"); klistCount
// is the count klist announces before them ("Cached Tickets: (2)"), and
// klistPrincipal a Kerberos principal with its realm
// ("SMTPSVC/ex02.corp.example.com @ CORP.EXAMPLE.COM").
var (
	klistTicket    = regexp.MustCompile(`^\s*#(\d+)>`)
	klistCount     = regexp.MustCompile(`:\s*\((\d+)\)\s*$`)
	klistPrincipal = regexp.MustCompile(`([^\s@]+/[^\s@]+)\s+@\s+(\S+)`)
)

// KlistTicket is one cached ticket as klist lists it: the service it is
// for, and that service's realm.
type KlistTicket struct {
	Server string `json:"server"` // "SMTPSVC/ex02.corp.example.com"
	Realm  string `json:"realm"`
}

// ParseKlistTickets reads the output of klist -li <id> tickets. klist's
// labels are localized ("Server:", "Serveur :", ...), so the parser reads
// the structure only: the count in parentheses that ends the header line,
// and in each "#n>" entry the first principal of the form
// "<service>/<host> @ <REALM>", which is the ticket's server (the client,
// listed first, is an account name without a slash). The listing's format
// follows Microsoft's klist documentation; localized listings are
// _unverified.
func ParseKlistTickets(out string) ([]KlistTicket, error) {
	lines := outputLines(out)
	count := -1
	var tickets []KlistTicket
	open := false
	for i, line := range lines {
		if m := klistTicket.FindStringSubmatch(line); m != nil {
			if count < 0 {
				return nil, &FormatError{Command: "klist tickets", Line: i + 1, Reason: "a ticket entry before the ticket count " + quoteLine(line)}
			}
			if open {
				return nil, &FormatError{Command: "klist tickets", Line: i + 1, Reason: "the previous ticket entry names no server"}
			}
			open = true
			line = line[len(m[0]):]
		} else if count < 0 {
			if m := klistCount.FindStringSubmatch(line); m != nil {
				n, err := strconv.Atoi(m[1])
				if err != nil {
					return nil, &FormatError{Command: "klist tickets", Line: i + 1, Reason: "unreadable ticket count " + quoteLine(line)}
				}
				count = n
			}
			continue
		}
		if !open {
			continue
		}
		if m := klistPrincipal.FindStringSubmatch(line); m != nil {
			tickets = append(tickets, KlistTicket{Server: m[1], Realm: m[2]})
			open = false
		}
	}
	switch {
	case count < 0:
		return nil, &FormatError{Command: "klist tickets", Reason: "no ticket count (\"Cached Tickets: (n)\")"}
	case open:
		return nil, &FormatError{Command: "klist tickets", Reason: "the last ticket entry names no server"}
	case len(tickets) != count:
		return nil, &FormatError{Command: "klist tickets", Reason: "klist announced " + strconv.Itoa(count) + " tickets and listed " + strconv.Itoa(len(tickets))}
	}
	return tickets, nil
}

// ServiceOf returns the service class of a principal ("SMTPSVC" of
// "SMTPSVC/ex02.corp.example.com"), in upper case.
func ServiceOf(principal string) string {
	svc, _, _ := strings.Cut(principal, "/")
	return strings.ToUpper(svc)
}
