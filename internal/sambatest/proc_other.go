//go:build !linux

package sambatest

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
)

// platformMissing says why a DC cannot run on this system: the tests
// provision Samba on Linux's loopback range, as root, with process groups.
func platformMissing() string {
	return "a Samba DC runs in these tests on Linux only, not on " + runtime.GOOS
}

func lockFile(*os.File) error   { return errors.New("address leases need Linux") }
func unlockFile(*os.File)       {}
func ownProcessGroup(*exec.Cmd) {}
func signalGroup(int, bool)     {}
