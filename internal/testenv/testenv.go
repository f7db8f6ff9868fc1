package testenv

import (
	"bytes"
	"fmt"
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

// Find returns the path of the program name, or why it cannot be used:
// it is not on PATH, and the Debian package debianPackage provides it.
// Every package named in a call of Find, LookPath, FindPythonModule or
// PythonModule must be in .ci/packages, which CI installs; a test of this
// package checks that.
func Find(name, debianPackage string) (path, why string) {
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Sprintf("%v (Debian package %s)", err, debianPackage)
	}
	return p, ""
}

// LookPath returns the path of the program name, or ends the test as
// Unavailable does when it is not on PATH (see Find).
func LookPath(t testing.TB, name, debianPackage string) string {
	t.Helper()
	p, why := Find(name, debianPackage)
	Require(t, name, why)
	return p
}

// FindFile says why the file at path, which the Debian package
// debianPackage provides, cannot be used, or "" when it exists.
func FindFile(path, debianPackage string) string {
	if _, err := os.Stat(path); err != nil {
		return fmt.Sprintf("%v (Debian package %s)", err, debianPackage)
	}
	return ""
}

// FindPythonModule says why the interpreter python cannot import module,
// which the Debian package debianPackage provides, or "" when it can.
func FindPythonModule(python, module, debianPackage string) string {
	out, err := exec.Command(python, "-c", "import "+module).CombinedOutput()
	if err != nil {
		return fmt.Sprintf("%s cannot import %s (Debian package %s): %v: %s", python, module, debianPackage, err, bytes.TrimSpace(out))
	}
	return ""
}

// PythonModule ends the test as Unavailable does when the interpreter
// python cannot import module (see FindPythonModule).
func PythonModule(t testing.TB, python, module, debianPackage string) {
	t.Helper()
	Require(t, "the python module "+module, FindPythonModule(python, module, debianPackage))
}

// SkipShort skips a test that takes long (why says what it does) when the
// tests run with -short on a workstation. Under CI it always runs.
func SkipShort(t testing.TB, why string) {
	t.Helper()
	if testing.Short() && !InCI() {
		t.Skipf("%s; skipped with -short (CI runs it)", why)
	}
}

// GoTool returns the path of the go command, or ends the test as
// Unavailable does. CI provides Go itself (Debian 12 has no Go 1.26).
func GoTool(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		Unavailable(t, "the go command", fmt.Sprintf("%v (install Go 1.26 and put its bin directory on PATH)", err))
	}
	return p
}
