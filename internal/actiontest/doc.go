// Package actiontest is the conformance test every action passes, run
// against the simulated organisation of package lab through rectify's real
// transports (WinRM over HTTPS with NTLM, LDAP over TLS): plan shows the
// expected change, apply makes it, a second plan is a no-op, and injected
// transport faults give clear errors and no partial change.
//
// It is test support: unlike the actions themselves it imports the engine,
// the transports and the lab, so that actions are proven end to end.
package actiontest
