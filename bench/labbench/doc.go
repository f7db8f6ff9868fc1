// Command labbench measures plan and apply of the example playbook
// (examples/exchange-454) over generated labs (lab.Generate) with injected
// WinRM latency, running the rectify binary it is given as a child process,
// and prints one table row per run: wall time beside the floor (see
// floor), rectify's CPU in all and per host, WinRM commands, HTTP
// exchanges, connections and NTLM handshakes per host (the lab's
// counters), for an apply the changes it started and the WinRM commands
// per change beyond its review read, LDAP searches and modifications, and
// the child's own peak memory (it is started by a spawner process, so
// that the lab's peak is not counted as rectify's: see spawn.go).
//
// Usage:
//
//	labbench -rectify PATH -out DIR [-parallelism N[,N...]] [-serial S] [-without STEPS] [-https] HOSTSxLATENCY...
//
// for example "labbench -rectify ./rectify -out bench/out 10x5ms 1000x50ms:plan".
// The lab serves WinRM as a default Windows server does, HTTP with NTLM
// message encryption, or HTTPS with -https. Everything it writes goes
// under -out.
package main
