package pgtest

import "syscall"

// serverAttr starts the server in its own process group, ended when the
// test binary dies (it is not left running after a crash or a kill).
func serverAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
