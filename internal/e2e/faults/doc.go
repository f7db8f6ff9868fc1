// Package faults is rectify's fault-injection suite: it applies the example
// playbook (examples/exchange-454) over the simulated organisation of
// package lab while a host drops in the middle of a command, answers 500,
// answers 401 after a password change, hangs past its timeout or resets
// connections, while the directory restarts during SPN changes, and while
// the journal's disk fills up (every journal write failing with ENOSPC
// from a chosen one on).
//
// Each case checks four things against the journal and the lab, not only
// the error message: the run reports exactly what happened (the change's
// status and error in `rectify history -json` and in the apply output), no
// change reached a host twice (the lab's record of every op it received),
// nothing is missing from the journal (every started change has an outcome,
// or is in flight when the process was cut short), and a new plan shows
// exactly the changes that remain.
//
// The package holds only tests.
package faults
