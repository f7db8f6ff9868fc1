//go:build unix

package pgtest

import (
	"os"
	"syscall"
)

// killGroup kills the server and every process of its group.
func killGroup(p *os.Process) { syscall.Kill(-p.Pid, syscall.SIGKILL) }
