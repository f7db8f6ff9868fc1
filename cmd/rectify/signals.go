package main

import (
	"os"
	"syscall"
)

// stopSignals end a command the way Ctrl-C does: no new change starts, the
// running ones finish and are journaled, and the command exits 1. Besides
// Ctrl-C and SIGTERM these are the ways an operator's session drops in the
// middle of a change window: SIGHUP when the terminal goes away, SIGPIPE
// when the output of a session without a terminal (ssh host rectify ...)
// is closed. Left to their defaults, the last two would kill rectify with
// changes in flight.
var stopSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE}
