//go:build unix && !linux

package pgtest

import "syscall"

// serverAttr starts the server in its own process group.
func serverAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
