package ops

import "strings"

// ReplicateResult is what one repadmin /replicate reported.
type ReplicateResult struct {
	// OK is set when the replication completed.
	OK bool `json:"ok"`
	// Status is the Win32 status repadmin printed for a failure (1722
	// "the RPC server is unavailable", 8452 "the naming context ... is not
	// replicated from the specified server"), or 0.
	Status int `json:"status"`
	// ExitCode is repadmin's exit code.
	ExitCode int `json:"exit_code"`
	// Message is the text after the status, in the DC's language: for
	// display only.
	Message string `json:"message,omitempty"`
}

// ParseReplicate reads one run of
//
//	repadmin /replicate <destination> <source> <naming context>
//
// which prints, on success (*unverified*, and translated on a localized
// Windows),
//
//	Sync from DC01 to DC02 completed successfully.
//
// and on failure a status with its message, as Microsoft's replication
// troubleshooting articles show it:
//
//	DsReplicaSync() failed with status 1722 (0x6ba):
//	    The RPC server is unavailable.
//
// It decides from what does not depend on the language: the exit code and
// the Win32 status ("<decimal> (0x<hex>)"). The replication completed when
// repadmin exited 0 and printed no nonzero status; any status makes it a
// failure with that status, and a nonzero exit code without one a failure
// with status 0.
func ParseReplicate(run CommandRun) ReplicateResult {
	res := ReplicateResult{ExitCode: run.ExitCode}
	lines := outputLines(run.Output)
	for i, line := range lines {
		code, _, after, ok := findStatus(line)
		if !ok || code == 0 {
			continue
		}
		res.Status = code
		msg := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(after), ":："))
		for _, more := range lines[i+1:] {
			more = strings.TrimSpace(more)
			if more == "" {
				break
			}
			msg = joinMessage(msg, more)
		}
		res.Message = msg
		break
	}
	res.OK = run.ExitCode == 0 && res.Status == 0
	return res
}
