//go:build unix

package journal

import (
	"errors"
	"syscall"
)

// processAlive reports whether a process with pid exists on this machine:
// signal 0 checks without signalling, and EPERM means it exists but runs
// as another user.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
