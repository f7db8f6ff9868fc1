// Command labbench measures plan and apply of the example playbook
// (examples/exchange-454) over generated labs (lab.Generate) with injected
// WinRM latency, running the rectify binary it is given as a child process,
// and prints one table row per run: wall time, WinRM commands and HTTP
// exchanges per host, LDAP searches, the child's own peak memory (it is
// started by a spawner process, so that the lab's peak is not counted as
// rectify's: see spawn.go), and the floor ceil(hosts / parallelism) ×
// minimum requests per host × latency.
//
// Usage:
//
//	labbench -rectify PATH -out DIR [-parallelism N] [-serial S] HOSTSxLATENCY...
//
// for example "labbench -rectify ./rectify -out bench/out 10x5ms 1000x50ms".
// Everything it writes goes under -out.
package main
