// Package drift keeps an organisation fixed: a Watcher plans a playbook on
// a schedule, records what drifted (what moved, on which host, since
// when), and in correct mode applies the corrections inside the
// playbook's change windows with the same safety as apply (stale checks,
// rollout, verification), like PowerShell DSC's ApplyAndMonitor and
// ApplyAndAutoCorrect with plans people can read.
//
// The watcher schedules cycles and decides what each records and holds
// back; it does not run them. An Operator (the operation layer, which
// runs every apply too) opens each cycle's run in the journal, locks its
// hosts, plans and applies, calling back into the CycleRun. The episodes
// of drift are kept through a Store and the figures handed to Metrics,
// small interfaces the journal and the Prometheus metrics implement.
//
// Expired temporary values are reverted in either mode when a window is
// open. Steps with auto_correct = false are reported, never applied. An
// item whose drift comes back after repeated corrections is marked
// flapping and left alone until a person clears it. A cycle never overlaps
// the previous one nor a manual apply (the host locks), a host that is
// down is reported without stopping the watcher, and all state lives in
// the journal, so a restarted watcher carries on where it stopped.
package drift
