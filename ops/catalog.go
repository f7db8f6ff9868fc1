package ops

// Op names, as they appear in the scripts' marker lines.
const (
	Bootstrap        = "bootstrap"
	Batch            = "batch"
	RegistryGet      = "registry.get"
	RegistrySet      = "registry.set"
	RegistryDelete   = "registry.delete"
	TimeRead         = "time.read"
	TimeConfig       = "time.config"
	TimeResync       = "time.resync"
	TimeRestore      = "time.restore"
	NetReach         = "net.reach"
	ReplSyncAll      = "repl.syncall"
	ReplShow         = "repl.show"
	ReplReplicate    = "repl.replicate"
	EventsQuery      = "events.query"
	ConnectorGet     = "exchange.connector.get"
	ConnectorAddAuth = "exchange.connector.add_auth"
	QueueGet         = "exchange.queue.get"
	QueueRetry       = "exchange.queue.retry"
	TicketsList      = "kerberos.tickets"
	TicketsPurge     = "kerberos.purge"
	HostAddresses    = "host.addresses"
	UserScript       = "user.script"
)

// BatchArgs runs several read-only ops in one command. Each item carries the
// op's script text (from this library) and its arguments.
type BatchArgs struct {
	Items []BatchItem `json:"items"`
}

// BatchItem is one op of a batch.
type BatchItem struct {
	ID     string `json:"id"`
	Script string `json:"script"`
	Args   any    `json:"args"`
}

// BatchResult holds one result per item, in order. An item that failed has
// OK false and Error set; the others still ran.
type BatchResult struct {
	Results []BatchItemResult `json:"results"`
}

// BatchItemResult is one item's outcome, and when it ran by the host's
// monotonic clock: Before is how long after the batch started the item
// started, After how long after the item ended the batch took its last
// reading of that clock, just before printing its answer. A reading taken
// inside the item (a clock's) thus happened at least Before after the
// command was sent and at least After before its answer came back, however
// slow the other items were (see ItemBracket).
type BatchItemResult struct {
	ID     string `json:"id"`
	OK     bool   `json:"ok"`
	Output any    `json:"output,omitempty"`
	Error  string `json:"error,omitempty"`
	// BeforeMicros and AfterMicros are Before and After in whole
	// microseconds, rounded down.
	BeforeMicros int64 `json:"before_us"`
	AfterMicros  int64 `json:"after_us"`
}

// Registry value kinds, as PowerShell's RegistryValueKind names them.
const (
	KindDWord        = "DWord"
	KindQWord        = "QWord"
	KindString       = "String"
	KindExpandString = "ExpandString"
	KindMultiString  = "MultiString"
	KindBinary       = "Binary"
)

// RegistryGetArgs reads one value. Path is a PowerShell registry path such
// as "HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters".
type RegistryGetArgs struct {
	Path string `json:"path"`
	Name string `json:"name"`
}

// RegistryValue is a value as read: whether the key and the value exist,
// the value's kind, and its data (a number for DWord and QWord, a string, a
// list of strings for MultiString, base64 for Binary).
type RegistryValue struct {
	KeyExists bool   `json:"key_exists"`
	Exists    bool   `json:"exists"`
	Kind      string `json:"kind,omitempty"`
	Data      any    `json:"data,omitempty"`
}

// RegistrySetArgs writes one value, creating the key if missing. When
// Expect is set, the script refuses (throws "stale: ...") if the current
// value differs from it, so a change never lands on a moved target.
type RegistrySetArgs struct {
	Path   string         `json:"path"`
	Name   string         `json:"name"`
	Kind   string         `json:"kind"`
	Data   any            `json:"data"`
	Expect *RegistryValue `json:"expect,omitempty"`
}

// RegistryChange reports the value before and after a write or delete.
type RegistryChange struct {
	Previous   RegistryValue `json:"previous"`
	Current    RegistryValue `json:"current"`
	KeyCreated bool          `json:"key_created"`
}

// RegistryDeleteArgs deletes one value (not the key).
type RegistryDeleteArgs struct {
	Path   string         `json:"path"`
	Name   string         `json:"name"`
	Expect *RegistryValue `json:"expect,omitempty"`
}

// CommandOutput is the raw text and exit code of native commands an op ran,
// for parsing in Go (w32tm and repadmin print locale-dependent text).
type CommandOutput struct {
	Commands []CommandRun `json:"commands"`
}

// CommandRun is one native command's output.
type CommandRun struct {
	Command  string `json:"command"`
	ExitCode int    `json:"exit_code"`
	Output   string `json:"output"`
}

// NetReachArgs probes destinations from the host itself.
type NetReachArgs struct {
	Targets   []ReachTarget `json:"targets"`
	TimeoutMS int           `json:"timeout_ms"`
}

// ReachTarget is one destination.
type ReachTarget struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Protocol string `json:"protocol"` // "tcp" or "udp"
}

// NetReachResult lists one outcome per target, in order.
type NetReachResult struct {
	Results []ReachOutcome `json:"results"`
}

// ReachOutcome is one target's outcome. UDP reach is "open" when anything
// answered, "open|filtered" when nothing did (UDP cannot tell), "closed"
// on an ICMP refusal.
type ReachOutcome struct {
	Host      string `json:"host"`
	Port      int    `json:"port"`
	Protocol  string `json:"protocol"`
	Reachable bool   `json:"reachable"`
	State     string `json:"state"`
	ElapsedMS int    `json:"elapsed_ms"`
	Error     string `json:"error,omitempty"`
}

// ReplSyncAllArgs runs repadmin /syncall <DC> /<Options> on a DC. It binds
// to the DC's replication partners as the session's user, so it needs
// credentials beyond the session (see NeedsOnwardCredentials).
type ReplSyncAllArgs struct {
	DC      string `json:"dc"`
	Options string `json:"options"` // "AdeP"
}

// ReplShowArgs reads the inbound replication links of the DC the op runs
// on, and only those: repadmin /showrepl <this computer> /csv, which binds
// to the local directory service and to no other DC. The result is
// CommandOutput; see ParseShowReplCSV.
type ReplShowArgs struct{}

// ReplReplicateArgs pulls naming contexts into the DC the op runs on:
// for each pull, repadmin /replicate <this computer> <Source>
// <NamingContext>. The DC itself then replicates from the source with its
// own machine credentials, so the op needs nothing beyond the session.
// The result is CommandOutput with one run per pull, in order; see
// ParseReplicate.
type ReplReplicateArgs struct {
	Pulls []ReplPull `json:"pulls"`
}

// ReplPull is one inbound replication to force: the naming context
// ("DC=corp,DC=example,DC=com") from the source DC's host name ("DC01").
type ReplPull struct {
	Source        string `json:"source"`
	NamingContext string `json:"naming_context"`
}

// EventsQueryArgs reads events with Get-WinEvent -FilterHashtable. Zero
// matching events is an empty list, not an error.
type EventsQueryArgs struct {
	Log      string `json:"log"`      // "System", "Application"
	Provider string `json:"provider"` // "Microsoft-Windows-Security-Kerberos"
	IDs      []int  `json:"ids,omitempty"`
	Since    string `json:"since,omitempty"` // RFC 3339
	Max      int    `json:"max,omitempty"`
}

// EventsQueryResult lists the events found, newest first.
type EventsQueryResult struct {
	Events []Event `json:"events"`
}

// Event is one event log record; Data holds its EventData fields by name.
type Event struct {
	Time     string            `json:"time"` // RFC 3339, UTC
	ID       int               `json:"id"`
	Provider string            `json:"provider"`
	Level    string            `json:"level"`
	Message  string            `json:"message"`
	Data     map[string]string `json:"data,omitempty"`
}

// ExchangeEndpoint is Exchange's own management endpoint on a server:
// http://<fqdn>/PowerShell/ with the session configuration
// Microsoft.Exchange (PowerShell Remoting Protocol, Kerberos). The exchange.*
// ops open a session to it and run Exchange's cmdlets there, in Exchange's
// own process, which reaches Active Directory as the Exchange server: no
// snap-in and no second hop from the WinRM session (see docs/exchange.md).
type ExchangeEndpoint struct {
	ConnectionURI string `json:"connection_uri"`
}

// EndpointFor returns the management endpoint of the Exchange server fqdn.
func EndpointFor(fqdn string) ExchangeEndpoint {
	return ExchangeEndpoint{ConnectionURI: "http://" + fqdn + "/PowerShell/"}
}

// ConnectorGetArgs reads the receive connectors of a server through
// Exchange's management endpoint (Get-ReceiveConnector -Server).
type ConnectorGetArgs struct {
	Endpoint   ExchangeEndpoint `json:"endpoint"`
	Credential *Credential      `json:"credential,omitempty"`
	Server     string           `json:"server"`
}

// ConnectorGetResult lists the server's receive connectors.
type ConnectorGetResult struct {
	Connectors []Connector `json:"connectors"`
}

// Connector is a receive connector as Get-ReceiveConnector reports it, with
// multi-valued properties as lists.
type Connector struct {
	Identity         string   `json:"identity"` // "EX01\Default EX01"
	Name             string   `json:"name"`
	Server           string   `json:"server"`
	TransportRole    string   `json:"transport_role"` // "HubTransport", "FrontendTransport"
	Bindings         []string `json:"bindings"`       // "0.0.0.0:2525"
	RemoteIPRanges   []string `json:"remote_ip_ranges"`
	AuthMechanism    []string `json:"auth_mechanism"`
	PermissionGroups []string `json:"permission_groups"`
	Enabled          bool     `json:"enabled"`
	RequireTLS       bool     `json:"require_tls"`
}

// ConnectorAddAuthArgs adds mechanisms and permission groups to a connector
// through Exchange's management endpoint: the script reads the current
// sets, refuses if they differ from Expect (stale), and sets the unions
// (Set-ReceiveConnector replaces whole sets).
type ConnectorAddAuthArgs struct {
	Endpoint            ExchangeEndpoint `json:"endpoint"`
	Credential          *Credential      `json:"credential,omitempty"`
	Identity            string           `json:"identity"`
	AddAuthMechanism    []string         `json:"add_auth_mechanism"`
	AddPermissionGroups []string         `json:"add_permission_groups"`
	Expect              *Connector       `json:"expect,omitempty"`
	// Remove is used by undo: mechanisms and groups to take out again.
	RemoveAuthMechanism    []string `json:"remove_auth_mechanism,omitempty"`
	RemovePermissionGroups []string `json:"remove_permission_groups,omitempty"`
}

// ConnectorChange reports a connector before and after a change.
type ConnectorChange struct {
	Before Connector `json:"before"`
	After  Connector `json:"after"`
}

// QueueGetArgs reads the server's queues through Exchange's management
// endpoint (Get-Queue -Server).
type QueueGetArgs struct {
	Endpoint   ExchangeEndpoint `json:"endpoint"`
	Credential *Credential      `json:"credential,omitempty"`
	Server     string           `json:"server"`
}

// QueueGetResult lists the server's queues.
type QueueGetResult struct {
	Queues []Queue `json:"queues"`
}

// Queue statuses as Get-Queue reports them.
const (
	QueueStatusActive    = "Active"
	QueueStatusReady     = "Ready"
	QueueStatusRetry     = "Retry"
	QueueStatusSuspended = "Suspended"
)

// Queue is one transport queue.
type Queue struct {
	Identity      string `json:"identity"` // "EX01\3"
	DeliveryType  string `json:"delivery_type"`
	Status        string `json:"status"` // "Ready", "Retry", "Active", "Suspended"
	MessageCount  int    `json:"message_count"`
	NextHopDomain string `json:"next_hop_domain"`
	LastError     string `json:"last_error"`
	// LastRetryTime and NextRetryTime are RFC 3339 UTC times, "" when the
	// queue has none.
	LastRetryTime string `json:"last_retry_time,omitempty"`
	NextRetryTime string `json:"next_retry_time,omitempty"`
}

// QueueRetryArgs retries queues and waits for the outcome of the attempt.
// Retry-Queue acts only on queues in Retry status: the script retries those
// of Identities that are in Retry when it runs, leaves the others alone,
// and then reads the queues every PollSeconds until every queue of
// Identities has settled (it is no longer Active, and a queue in Retry has
// a LastRetryTime after the script started: a new retry time is set when
// no connection was made) or WaitSeconds have passed.
type QueueRetryArgs struct {
	Endpoint    ExchangeEndpoint `json:"endpoint"`
	Credential  *Credential      `json:"credential,omitempty"`
	Server      string           `json:"server"`
	Identities  []string         `json:"identities"`
	WaitSeconds int              `json:"wait_seconds"`
	PollSeconds int              `json:"poll_seconds"`
}

// QueueRetryResult is the server's queues after the wait, which queues were
// retried, and whether every queue settled within the wait.
type QueueRetryResult struct {
	Queues  []Queue  `json:"queues"`
	Retried []string `json:"retried"`
	Settled bool     `json:"settled"`
}

// The logon sessions whose Kerberos tickets the KB's confirmation purges:
// the computer's own (SYSTEM, 0x3e7) and NETWORK SERVICE's (0x3e4), in
// which the Exchange Transport service runs. Both present the computer
// account's credentials to the KDC.
const (
	LogonSystem         = "0x3e7"
	LogonNetworkService = "0x3e4"
)

// TicketsListArgs lists the Kerberos tickets cached in logon sessions
// (klist -li <id> tickets). The result is CommandOutput, one run per
// session; ParseKlistTickets reads it.
type TicketsListArgs struct {
	LogonIDs []string `json:"logon_ids"`
}

// TicketsPurgeArgs purges the Kerberos tickets cached in logon sessions
// (klist -li <id> purge). The result is CommandOutput, one run per session.
type TicketsPurgeArgs struct {
	LogonIDs []string `json:"logon_ids"`
}

// HostAddressesArgs lists the host's own unicast IP addresses.
type HostAddressesArgs struct{}

// HostAddressesResult lists the addresses, IPv4 and IPv6, without loopback
// and link-local ones.
type HostAddressesResult struct {
	Addresses []string `json:"addresses"`
}

// UserScriptArgs runs a user's script (the windows.powershell action): the
// script text comes from the playbook's own files and receives Input.
type UserScriptArgs struct {
	Input any `json:"input"`
}
