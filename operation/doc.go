// Package operation is the one place that runs an operation of rectify:
// an apply of a reviewed plan, a drift cycle of the watcher, and (to come)
// an undo. Each opens its run in the journal, takes the locks of the hosts
// it may change (one rule, lockedHosts), reads what the journal remembers,
// plans or applies through the engine, records, finishes the run with an
// Outcome, and says what that outcome means for whoever started it (a
// Status, the command's exit status).
//
// The command line and the watcher only set an operation up and show it:
// the command line opens the journal and builds a view, the watcher
// (package drift) decides what a cycle records and holds back and when
// cycles run. The journal is reached through the small interfaces Journal,
// Run and Lease, which the SQLite journal satisfies and a shared one can.
package operation
