package lab

import (
	"slices"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/ops"
)

// ticketLifetime is how long a Kerberos service ticket lasts: the domain's
// "Maximum lifetime for service ticket" policy, 600 minutes by default.
const ticketLifetime = 10 * time.Hour

// transportLogon is the logon session the Exchange Transport service runs
// in: NETWORK SERVICE, which presents the computer account to the KDC.
const transportLogon = ops.LogonNetworkService

// CachedTicket is a Kerberos service ticket a host holds in one of its
// logon sessions: the SPN it was asked for, the account the KDC issued it
// for (whose key encrypts it), and when it expires. Windows reuses a
// cached ticket until it expires or is purged (klist purge), whatever has
// changed in the directory since: a ticket issued for the wrong account
// keeps failing with KRB_AP_ERR_MODIFIED after the SPN is fixed.
type CachedTicket struct {
	SPN     string
	Account string // sAMAccountName, "EX02$"
	Issued  time.Time
	Expires time.Time
}

// CacheTicket puts a ticket into one of the host's logon sessions
// ("0x3e4"), replacing one for the same SPN.
func (h *Host) CacheTicket(logon string, t CachedTicket) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.tickets == nil {
		h.tickets = map[string][]CachedTicket{}
	}
	key := strings.ToLower(logon)
	list := slices.DeleteFunc(h.tickets[key], func(x CachedTicket) bool { return strings.EqualFold(x.SPN, t.SPN) })
	h.tickets[key] = append(list, t)
}

// Tickets returns the unexpired tickets of one logon session, by the
// host's clock.
func (h *Host) Tickets(logon string) []CachedTicket {
	now := h.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []CachedTicket
	for _, t := range h.tickets[strings.ToLower(logon)] {
		if now.Before(t.Expires) {
			out = append(out, t)
		}
	}
	return out
}

// PurgeTickets empties one logon session's ticket cache and reports how
// many tickets it held.
func (h *Host) PurgeTickets(logon string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := len(h.tickets[strings.ToLower(logon)])
	delete(h.tickets, strings.ToLower(logon))
	return n
}

// cachedTicket returns the host's unexpired ticket for spn in a session.
func (h *Host) cachedTicket(logon, spn string) (CachedTicket, bool) {
	for _, t := range h.Tickets(logon) {
		if strings.EqualFold(t.SPN, spn) {
			return t, true
		}
	}
	return CachedTicket{}, false
}

// transportSPN is the SPN a sending Transport service asks a ticket for
// when it authenticates to another Exchange server.
func transportSPN(receiver *Host) string { return "SMTPSVC/" + receiver.FQDN }
