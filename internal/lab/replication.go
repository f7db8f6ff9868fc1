package lab

import "time"

// Replication status codes (Win32 errors) as repadmin reports them.
const (
	ReplOK             = 0
	ReplRPCUnavailable = 1722
)

// ReplLink is one inbound replication link of a domain controller: the
// destination pulls a naming context from the source.
type ReplLink struct {
	Destination     string // DC host name, such as "dc02"
	Source          string
	NamingContext   string
	Failures        int
	LastFailureTime time.Time // zero when it never failed
	LastSuccessTime time.Time
	LastStatus      int // 0 or a Win32 error such as 1722
}

// SyncResult is the outcome of the last forced sync run on a DC.
type SyncResult struct {
	Time   time.Time
	OK     bool
	Synced []ReplLink // the links that replicated
	Errors []ReplLink // the links that failed
}

// replStatusText is the message repadmin prints for a status code.
func replStatusText(code int) string {
	switch code {
	case ReplOK:
		return "The operation completed successfully."
	case ReplRPCUnavailable:
		return "The RPC server is unavailable."
	case 8524:
		return "The DSA operation is unable to proceed because of a DNS lookup failure."
	case 8453:
		return "Replication access was denied."
	}
	return "The operation failed."
}
