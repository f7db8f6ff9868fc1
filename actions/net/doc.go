// Package net holds the built-in network actions: net.kerberos_ports, which
// checks from each Exchange server that its domain controllers answer on
// the ports Kerberos and Active Directory need (KB 979174 cause 4).
// rectify does not change firewalls: a blocked port is a finding for the
// operator.
package net
