// Package bench holds rectify's benchmarks: the figures a skeptical
// administrator can rerun with bench/run. Its Go benchmarks (the duplicate
// SPN scan against the lab's directory and against Samba, beside
// ldapsearch) live in its tests; labbench drives plan and apply of the
// example playbook over generated labs. Benchmarks print figures and
// assert none.
package bench
