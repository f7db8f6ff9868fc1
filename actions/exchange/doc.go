// Package exchange holds the built-in actions for Exchange servers:
// exchange.receive_connector_auth (Exchange Server authentication on the
// receive connector that takes the other Exchange servers' mail, KB 979174
// step 6), exchange.ticket_purge (the sending servers' cached Kerberos
// tickets, purged before the confirmation) and exchange.queue (the 451
// 4.4.0 / 454 4.7.0 symptom on the delivery queues, retried after the
// fixes to prove it is gone). Receive connectors are read from their
// directory objects over rectify's LDAP; Exchange's cmdlets run through
// Exchange's own management endpoint, never a snap-in in the WinRM session
// (see docs/exchange.md).
package exchange
