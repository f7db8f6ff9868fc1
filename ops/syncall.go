package ops

import (
	"regexp"
	"strconv"
	"strings"
)

// SyncAllResult is what repadmin /syncall reported.
type SyncAllResult struct {
	// OK is set when repadmin printed "SyncAll terminated with no errors."
	// and no error.
	OK bool `json:"ok"`
	// Partitions lists the naming contexts synced, in order.
	Partitions []string `json:"partitions"`
	// Completed lists the replications reported as completed successfully.
	Completed []ReplPair `json:"completed"`
	// Errors lists the errors, each once even when repadmin repeats it in
	// its closing summary.
	Errors []SyncAllError `json:"errors"`
}

// ReplPair is one replication between two DSAs, named as repadmin prints
// them (with /d, the DSAs' NTDS Settings DNs).
type ReplPair struct {
	Partition string `json:"partition,omitempty"`
	From      string `json:"from"`
	To        string `json:"to"`
}

// SyncAllError is one error repadmin /syncall printed.
type SyncAllError struct {
	// Context is the text before the code: "Error issuing replication",
	// "Error contacting server CN=NTDS Settings,CN=DC03,... (network
	// error)", "SyncAll exited with fatal Win32 error".
	Context string `json:"context"`
	// Code is the Win32 error code (1722 is "The RPC server is
	// unavailable").
	Code int `json:"code"`
	// Message is the system's text for the code, when printed.
	Message string `json:"message,omitempty"`
	// Partition is the naming context being synced when the error was
	// printed, when known.
	Partition string `json:"partition,omitempty"`
	// From and To are the source and destination DSAs, when printed.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// Fatal is set when repadmin stopped the whole sync for it.
	Fatal bool `json:"fatal,omitempty"`
}

var (
	syncAllErrorLine = regexp.MustCompile(`(?i)^\s*(?:CALLBACK MESSAGE:\s*)?(.*?\berror\b.*?):\s*(-?[0-9]+)\s*\((0x[0-9a-f]+)\)\s*:?\s*(.*)$`)
	syncAllFrom      = regexp.MustCompile(`^\s+From\s*:\s*(.*?)\s*$`)
	syncAllTo        = regexp.MustCompile(`^\s+To\s*:\s*(.*?)\s*$`)
)

// ParseSyncAll reads the output of
//
//	repadmin /syncall <dc> /AdeP
//
// which, for each partition, prints
//
//	Syncing partition: DC=corp,DC=example,DC=com
//	CALLBACK MESSAGE: The following replication is in progress:
//	    From: CN=NTDS Settings,CN=DC02,CN=Servers,CN=HQ,CN=Sites,CN=Configuration,DC=corp,DC=example,DC=com
//	    To  : CN=NTDS Settings,CN=DC01,CN=Servers,CN=HQ,CN=Sites,CN=Configuration,DC=corp,DC=example,DC=com
//	CALLBACK MESSAGE: The following replication completed successfully:
//	    From: ...
//	    To  : ...
//	CALLBACK MESSAGE: SyncAll Finished.
//
// and ends with "SyncAll terminated with no errors." on success. Errors
// are a line ending in "<decimal code> (0x<hex code>):", optionally
// preceded by "CALLBACK MESSAGE: ", followed by the message on the same
// line or on the indented lines after it, and by indented "From:" and
// "To  :" lines when repadmin names the DSAs:
//
//	CALLBACK MESSAGE: Error contacting server CN=NTDS Settings,CN=DC03,... (network error): 1722 (0x6ba):
//	    The RPC server is unavailable.
//	Error issuing replication: 1722 (0x6ba): The RPC server is unavailable.
//	    From: CN=NTDS Settings,CN=DC03,...
//	    To  : CN=NTDS Settings,CN=DC01,...
//	SyncAll exited with fatal Win32 error: 8440 (0x20f8):
//	    The naming context specified for this replication operation is invalid.
//
// After "SyncAll reported the following errors:" repadmin repeats the
// errors; a repeated error is merged with the one already read.
//
// It returns a *FormatError when the output holds neither a partition, a
// completion line nor an error, e.g. a usage message.
func ParseSyncAll(text string) (SyncAllResult, error) {
	res := SyncAllResult{Partitions: []string{}, Completed: []ReplPair{}, Errors: []SyncAllError{}}
	var (
		partition   string
		summary     bool
		recognised  bool
		terminated  bool
		current     *SyncAllError // the error whose lines follow
		pair        *ReplPair     // the completed replication whose lines follow
		inProgress  bool          // From/To lines of an in-progress message
		awaitingMsg bool          // the current error's message is on the next line
	)
	finish := func() {
		if current != nil {
			res.Errors = mergeSyncAllError(res.Errors, *current, summary)
		}
		if pair != nil {
			res.Completed = append(res.Completed, *pair)
		}
		current, pair, inProgress, awaitingMsg = nil, nil, false, false
	}
	for _, line := range outputLines(text) {
		trimmed := strings.TrimSpace(line)
		body := strings.TrimSpace(strings.TrimPrefix(trimmed, "CALLBACK MESSAGE:"))
		switch {
		case trimmed == "":
			continue
		case syncAllFrom.MatchString(line):
			from := syncAllFrom.FindStringSubmatch(line)[1]
			if current != nil {
				current.From, awaitingMsg = from, false
			} else if pair != nil {
				pair.From = from
			}
			continue
		case syncAllTo.MatchString(line):
			to := syncAllTo.FindStringSubmatch(line)[1]
			if current != nil {
				current.To, awaitingMsg = to, false
			} else if pair != nil {
				pair.To = to
			}
			continue
		case line != trimmed && current != nil && awaitingMsg:
			current.Message = joinMessage(current.Message, trimmed)
			continue
		case line != trimmed && (pair != nil || inProgress):
			continue
		}
		finish()
		switch {
		case strings.HasPrefix(body, "Syncing partition:"):
			partition = strings.TrimSpace(strings.TrimPrefix(body, "Syncing partition:"))
			res.Partitions = append(res.Partitions, partition)
			recognised = true
		case strings.HasPrefix(body, "SyncAll terminated with no errors"):
			terminated, recognised = true, true
		case strings.HasPrefix(body, "SyncAll reported the following errors"):
			summary, recognised = true, true
		case strings.HasPrefix(body, "The following replication completed successfully"):
			pair, recognised = &ReplPair{Partition: partition}, true
		case strings.HasPrefix(body, "The following replication is in progress"):
			inProgress, recognised = true, true
		case syncAllErrorLine.MatchString(trimmed):
			m := syncAllErrorLine.FindStringSubmatch(trimmed)
			e := SyncAllError{Context: strings.TrimSpace(m[1]), Message: strings.TrimSpace(m[4])}
			e.Code = syncAllCode(m[2], m[3])
			e.Fatal = strings.Contains(strings.ToLower(e.Context), "fatal")
			if !summary {
				e.Partition = partition
			}
			current, awaitingMsg, recognised = &e, e.Message == "", true
		case strings.HasPrefix(body, "Syncing all NC"), strings.HasPrefix(body, "SyncAll Finished"):
			recognised = true
		}
	}
	finish()
	if !recognised {
		return SyncAllResult{}, &FormatError{Command: "repadmin /syncall", Reason: "no partition, completion or error lines"}
	}
	res.OK = terminated && len(res.Errors) == 0
	return res, nil
}

// syncAllCode reads the decimal code, or the hexadecimal one when the
// decimal does not read.
func syncAllCode(dec, hex string) int {
	if n, err := strconv.ParseInt(dec, 10, 32); err == nil {
		return int(n)
	}
	n, _ := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(hex), "0x"), 16, 32)
	return int(n)
}

// joinMessage appends a continuation line to a message.
func joinMessage(msg, more string) string {
	if msg == "" {
		return more
	}
	return msg + " " + more
}

// mergeSyncAllError adds e to errs; in the closing summary an error equal
// to one already read (same context, code, DSAs) fills in what it lacked
// instead of being added again.
func mergeSyncAllError(errs []SyncAllError, e SyncAllError, summary bool) []SyncAllError {
	if summary {
		for i := range errs {
			o := &errs[i]
			if o.Context == e.Context && o.Code == e.Code && o.From == e.From && o.To == e.To {
				if o.Message == "" {
					o.Message = e.Message
				}
				return errs
			}
		}
	}
	return append(errs, e)
}
