//go:build race

package ldap

// raceEnabled is set when the tests run under the race detector.
const raceEnabled = true
