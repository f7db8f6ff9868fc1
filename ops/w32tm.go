package ops

import (
	"regexp"
	"strings"
)

// hresultFailure is an HRESULT with its severity bit set, as w32tm prints
// a failure in any language: "(0x80070426)", "error: 0x800705B4".
var hresultFailure = regexp.MustCompile(`\b0[xX]([89A-Fa-f][0-9A-Fa-f]{7})\b`)

// W32tmOutcome is what a w32tm command's run says, read without its
// (localized) sentences.
type W32tmOutcome struct {
	// Failed is set when the run printed a failing HRESULT or exited with
	// a code other than 0.
	Failed bool
	// HRESULT is the first failing HRESULT printed, as "0x80070426", or
	// empty.
	HRESULT string
}

// ParseW32tm reads a w32tm run. w32tm prints its sentences in the
// system's language ("The following error occurred: The service has not
// been started. (0x80070426)"; in Japanese the same code follows another
// sentence) and its exit codes do not always tell a failure, so the
// HRESULT it prints is what decides; a non-zero exit code is a failure
// too. A success says nothing more: the caller measures what it changed.
func ParseW32tm(run CommandRun) W32tmOutcome {
	out := W32tmOutcome{Failed: run.ExitCode != 0}
	if m := hresultFailure.FindStringSubmatch(run.Output); m != nil {
		out.Failed = true
		out.HRESULT = "0x" + strings.ToUpper(m[1])
	}
	return out
}

// VMwareTimeSync is what VMware Tools say of their clock synchronisation.
type VMwareTimeSync string

// The states ParseVMwareTimeSync reports.
const (
	VMwareTimeSyncAbsent   VMwareTimeSync = ""         // VMware Tools not installed
	VMwareTimeSyncEnabled  VMwareTimeSync = "enabled"  // the VM takes its time from the ESXi host
	VMwareTimeSyncDisabled VMwareTimeSync = "disabled" // W32Time alone sets the clock
	VMwareTimeSyncUnknown  VMwareTimeSync = "unknown"  // the answer was neither
)

// ParseVMwareTimeSync reads "VMwareToolboxCmd.exe timesync status", which
// prints "Enabled" or "Disabled" (VMware Tools documentation,
// "Using the VMware Tools Configuration Utility"; the Windows output is
// unverified). A nil run means VMware Tools are not installed.
func ParseVMwareTimeSync(run *CommandRun) VMwareTimeSync {
	if run == nil {
		return VMwareTimeSyncAbsent
	}
	first, _, _ := strings.Cut(strings.TrimSpace(run.Output), "\n")
	switch strings.ToLower(strings.TrimSpace(first)) {
	case "enabled":
		return VMwareTimeSyncEnabled
	case "disabled":
		return VMwareTimeSyncDisabled
	}
	return VMwareTimeSyncUnknown
}
