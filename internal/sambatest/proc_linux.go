package sambatest

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// platformMissing says why a DC cannot run on this system: "" on Linux.
func platformMissing() string { return "" }

// lockFile takes f's exclusive lock without waiting; errLeased when
// another process holds it.
func lockFile(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return errLeased
	}
	return err
}

func unlockFile(f *os.File) { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }

// ownProcessGroup starts cmd in a process group of its own, which dies
// with the test binary (Pdeathsig) even when it ends without cleanup.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// signalGroup asks the process group pgid to end, or kills it.
func signalGroup(pgid int, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	_ = syscall.Kill(-pgid, sig)
}
