// Package netprobe checks reach from the machine rectify runs on: the
// actions.Prober of a run.
//
// A TCP endpoint is reached when a connection is accepted. A Kerberos
// endpoint gets a real AS-REQ (RFC 4120), over UDP as one datagram or over
// TCP with the four-byte length prefix, and counts as reached only when a
// KDC answers it: any KRB-ERROR (PREAUTH_REQUIRED, PRINCIPAL_UNKNOWN,
// WRONG_REALM...) or an AS-REP proves a KDC is there. A plain UDP endpoint
// is reached when anything answers the probe datagram; silence cannot be
// told apart from a firewall and is reported as not reached, with the
// reason, and an ICMP port-unreachable as a closed port.
package netprobe
