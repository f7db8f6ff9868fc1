package ops

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// SyncAllResult is what repadmin /syncall reported.
type SyncAllResult struct {
	// OK is set when repadmin printed no error status. repadmin's exit code
	// (not part of the text) must be 0 too for the sync to have succeeded.
	OK bool `json:"ok"`
	// Partitions lists the naming contexts synced, in order.
	Partitions []string `json:"partitions"`
	// Replications lists the replications repadmin named outside an error
	// (in progress, then completed), each once per partition.
	Replications []ReplPair `json:"replications"`
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
	// Context is the text before the code, in the DC's language: "Error
	// issuing replication", "Error contacting server CN=NTDS
	// Settings,CN=DC03,... (network error)", "SyncAll exited with fatal
	// Win32 error". It is for display only.
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
}

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
// and errors as a line holding a Win32 status "<decimal> (0x<hex>)",
// followed by the message on the same line or on the indented lines after
// it, and by indented "From:" and "To  :" lines when repadmin names the
// DSAs, as in this public capture (Orange-Cyberdefense/GOAD issue 140):
//
//	CALLBACK MESSAGE: Error contacting server CN=NTDS Settings,CN=WINTERFELL,... (network error): 1722 (0x6ba):
//	    The RPC server is unavailable.
//	SyncAll exited with fatal Win32 error: 8440 (0x20f8):
//	    The naming context specified for this replication operation is invalid.
//
// repadmin's sentences are translated on a localized Windows, so the
// parser reads only the structure: a line with a status is an error; an
// unindented line ending in ": <DN>" names a partition; an indented
// "<label>: <DSA>" line names the source DSA (first) or the destination
// (second) of the block it follows. An error repeated in the closing summary
// ("SyncAll reported the following errors:") is merged with the one
// already read.
//
// It returns a *FormatError when the output holds neither a partition, a
// DSA nor a status, e.g. a usage message.
func ParseSyncAll(text string) (SyncAllResult, error) {
	res := SyncAllResult{Partitions: []string{}, Replications: []ReplPair{}, Errors: []SyncAllError{}}
	var (
		partition  string
		recognised bool
		current    *SyncAllError // the error whose lines follow
		pair       *ReplPair     // the replication whose lines follow
	)
	finish := func() {
		if current != nil {
			res.Errors = mergeSyncAllError(res.Errors, *current)
		}
		if pair != nil && (pair.From != "" || pair.To != "") && !containsPair(res.Replications, *pair) {
			res.Replications = append(res.Replications, *pair)
		}
		current, pair = nil, nil
	}
	for _, line := range outputLines(text) {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			continue
		}
		indented := line != strings.TrimLeft(line, " \t")
		if indented {
			if dsa, ok := dsaAfterLabel(trimmed); ok {
				recognised = true
				switch {
				case current != nil && current.From == "":
					current.From = dsa
				case current != nil:
					current.To = dsa
				case pair != nil && pair.From == "":
					pair.From = dsa
				case pair != nil:
					pair.To = dsa
				}
				continue
			}
			if current != nil && current.From == "" && current.To == "" {
				current.Message = joinMessage(current.Message, trimmed)
			}
			continue
		}
		finish()
		body := strings.TrimSpace(strings.TrimPrefix(trimmed, "CALLBACK MESSAGE:"))
		if code, before, after, ok := findStatus(body); ok {
			e := SyncAllError{
				Context:   strings.TrimSpace(strings.TrimRight(strings.TrimSpace(before), ":：")),
				Code:      code,
				Message:   strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(after), ":：")),
				Partition: partition,
			}
			current, recognised = &e, true
			continue
		}
		if dn, ok := dnAfterLabel(body); ok {
			partition, recognised = dn, true
			res.Partitions = append(res.Partitions, dn)
			continue
		}
		pair = &ReplPair{Partition: partition}
	}
	finish()
	if !recognised {
		return SyncAllResult{}, &FormatError{Command: "repadmin /syncall", Reason: "no partition, replication or status lines"}
	}
	res.OK = len(res.Errors) == 0
	return res, nil
}

// dnPattern is a distinguished name as repadmin prints naming contexts and
// NTDS Settings objects.
var dnPattern = regexp.MustCompile(`(?i)^(CN|DC|OU)=[^,=]+(,\s*(CN|DC|OU|O|L)=[^,=]+)*$`)

// msdcsPattern is a DSA named by its GUID-based DNS name, as repadmin
// prints DSAs without /d.
var msdcsPattern = regexp.MustCompile(`(?i)^[0-9a-f-]{32,36}\._msdcs\.[a-z0-9.-]+$`)

// dnAfterLabel returns the distinguished name that ends a "<label>: <DN>"
// line. The label is text in the DC's language; the colon may be a
// full-width one.
func dnAfterLabel(line string) (string, bool) {
	v, ok := afterLabel(line)
	if !ok || !dnPattern.MatchString(v) {
		return "", false
	}
	return v, true
}

// dsaAfterLabel returns the DSA that ends a "<label>: <DSA>" line: a DN or
// a GUID-based DNS name.
func dsaAfterLabel(line string) (string, bool) {
	v, ok := afterLabel(line)
	if !ok || !(dnPattern.MatchString(v) || msdcsPattern.MatchString(v)) {
		return "", false
	}
	return v, true
}

// afterLabel returns what follows the first colon of a line.
func afterLabel(line string) (string, bool) {
	i := strings.IndexAny(line, ":：")
	if i < 0 {
		return "", false
	}
	_, size := utf8.DecodeRuneInString(line[i:])
	return strings.TrimSpace(line[i+size:]), true
}

// joinMessage appends a continuation line to a message.
func joinMessage(msg, more string) string {
	if msg == "" {
		return more
	}
	return msg + " " + more
}

func containsPair(pairs []ReplPair, p ReplPair) bool {
	for _, q := range pairs {
		if q == p {
			return true
		}
	}
	return false
}

// mergeSyncAllError adds e to errs, unless it repeats an error already
// read (the closing summary repeats them): the same code and DSAs, and
// either DSAs or the same context. The repeat fills in what the first lacked.
func mergeSyncAllError(errs []SyncAllError, e SyncAllError) []SyncAllError {
	for i := range errs {
		o := &errs[i]
		if o.Code != e.Code || o.From != e.From || o.To != e.To {
			continue
		}
		if (e.From == "" && e.To == "") && o.Context != e.Context {
			continue
		}
		if o.Message == "" {
			o.Message = e.Message
		}
		return errs
	}
	return append(errs, e)
}
