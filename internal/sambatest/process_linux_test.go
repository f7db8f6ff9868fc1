package sambatest

import "syscall"

// processAlive returns nil when a process with that pid exists.
func processAlive(pid int) error { return syscall.Kill(pid, 0) }
