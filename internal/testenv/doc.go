// Package testenv decides what a test does when a third-party component it
// needs (Samba, pywinrm, node, a privilege such as CAP_SYS_ADMIN, a
// tool on PATH) is missing here.
//
// On a developer machine the test skips and says what is missing and how
// to get it. Under CI (the environment variable CI set, as .ci/run does)
// it fails instead: CI installs every component, so a missing one is a
// broken CI machine, and a skip there would hide a test that never ran.
package testenv
