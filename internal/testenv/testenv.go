package testenv

import (
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// InCI reports whether the tests run under CI: CI is set to anything but
// a false value ("false", "0"), as CI services and .ci/run set it.
func InCI() bool {
	v := os.Getenv("CI")
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	return err != nil || b
}

// Unavailable ends the test because component cannot be used here, for
// the reason why (which should say how to provide it). Under CI the test
// fails; elsewhere it is skipped.
func Unavailable(t testing.TB, component, why string) {
	t.Helper()
	if InCI() {
		t.Fatalf("%s is required under CI: %s", component, why)
	}
	t.Skipf("%s unavailable: %s", component, why)
}

// Require ends the test as Unavailable does when why is not empty, and
// returns otherwise. It suits checks that return the reason a component
// cannot be used, or "".
func Require(t testing.TB, component, why string) {
	t.Helper()
	if why != "" {
		Unavailable(t, component, why)
	}
}

// LookPath returns the path of the program name, or ends the test as
// Unavailable does when it is not on PATH; install says how to get it
// (a Debian package, say).
func LookPath(t testing.TB, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Unavailable(t, name, err.Error()+" (install "+install+")")
	}
	return p
}
