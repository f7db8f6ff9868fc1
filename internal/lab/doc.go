// Package lab is a simulated Exchange organisation: Exchange servers and
// domain controllers whose state (clocks, registry, event logs, services,
// firewall rules, receive connectors, queues, replication links) lives in
// memory and is served over real sockets, WS-Management for the Windows
// hosts and LDAP for the directory, so that rectify's real clients can be
// driven end to end without Windows.
//
// The organisation is seeded from a Scenario (data), such as the built-in
// KB979174 scenario that carries every fault of Microsoft KB 979174. The
// state follows the causality of the real world: a sending Exchange
// server's queue to another Exchange server holds the 454 4.7.0 error
// while any cause of the KB remains for that pair (missing or duplicate
// SPNs, clock skew, blocked Kerberos, an SPN change not yet replicated, a
// service ticket the sender holds for the wrong account, or no Exchange
// Server authentication on the receive connector Exchange hands the
// sender's connection to: the one bound to the port whose RemoteIPRanges
// hold the sender most narrowly), and a queue retry clears it once every
// cause is fixed. Retry-Queue acts on a queue in Retry only, and the
// attempt's outcome shows a moment later. Exchange's cmdlets run only as
// Windows lets them: through Exchange's management endpoint with an
// explicit credential (or a session with delegated credentials), never
// through the snap-in in a network logon (the second hop).
//
// Start serves an organisation: a WS-Management endpoint (package wsman)
// per host and LDAP, LDAPS and Global Catalog endpoints (package ldapd) per
// DC over one shared directory (package directory), each host on its own
// loopback address (127.1.0.11 on), TLS from a lab CA (package pki).
// WriteInventory writes an inventory that points at it; Serve is the
// `rectify lab` command.
//
// An SPN write is an originating write on the DC whose LDAP server took it
// (the server's write hook says which). It reaches the other DCs as AD
// replicates: within a site by change notification 15 seconds later,
// between sites at the site link's next scheduled poll (every 180 minutes
// by default), over failing links only through a forced replication
// (repadmin /replicate, /syncall) that repairs them.
//
// Commands run in the logon session of their WinRM shell. A session
// logged on with NTLM or Basic (or Kerberos without delegation) has no
// credentials for a third machine: whatever a command does as the
// session's user on another machine fails as on Windows (the second hop;
// see onward and needsOnward), while a DC replicating with its own machine
// account does not need them. Hosts speak a Locale (English by default,
// Japanese with LocaleJapanese): their native tools' sentences come from
// per-tool tables, each text with its source or marked unverified.
//
// Commands reach the lab as Windows would run them: the PowerShell
// bootstrap of package ops with a script on standard input, dispatched on
// the script's "# rectify:op <name> v<N>" marker and its JSON arguments
// (never on other script text), and the native commands the KB uses
// (w32tm, repadmin, setspn, klist) with their real output formats.
package lab
