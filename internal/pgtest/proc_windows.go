package pgtest

import (
	"os"
	"syscall"
)

// serverAttr starts the server as any child: Windows has no process
// groups to end it by.
func serverAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }

// killGroup kills the server.
func killGroup(p *os.Process) { p.Kill() }
