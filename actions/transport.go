package actions

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// Script is one PowerShell operation from the script library: the text of a
// .ps1 file whose first line is the marker "# rectify:op <name> v<N>".
type Script struct {
	// Op is the operation name from the marker, such as "registry.get".
	Op string
	// Version is the N of the marker.
	Version int
	// Text is the whole script, marker line first. It is sent as is: nothing
	// from an inventory or playbook is ever spliced into it.
	Text string
}

// ScriptRun asks a Shell to run one script with its argument document.
type ScriptRun struct {
	Script Script
	// Args is the JSON argument document; it travels base64-encoded beside
	// the script and is decoded by the script itself.
	Args json.RawMessage
	// SensitiveArgs keeps the arguments out of logs and errors.
	SensitiveArgs bool
	// Mutates marks a run that may change the host: such a run is never
	// retried after it may have started.
	Mutates bool
}

// ScriptResult is what a script printed and how it ended.
type ScriptResult struct {
	// Output is the single JSON document the script wrote to stdout.
	Output json.RawMessage
	// Stdout is the raw standard output (Output's source).
	Stdout string
	// Stderr is the decoded error text (CLIXML turned into plain lines).
	Stderr   string
	ExitCode int
}

// Shell runs PowerShell operations on one Windows host.
type Shell interface {
	RunScript(ctx context.Context, run ScriptRun) (ScriptResult, error)
}

// Scope is an LDAP search scope.
type Scope int

// The LDAP search scopes.
const (
	ScopeBase Scope = iota
	ScopeOne
	ScopeSubtree
)

// SearchRequest is one LDAP search. Filters are structured values, never
// text: the Directory renders them with every value escaped.
type SearchRequest struct {
	// Base is the search base DN; "" with GlobalCatalog searches the forest.
	Base   string
	Scope  Scope
	Filter Filter
	// Attributes lists the attributes to return.
	Attributes []string
	// GlobalCatalog sends the search to the Global Catalog port.
	GlobalCatalog bool
	// PageSize asks for paged results; 0 lets the Directory choose.
	PageSize int
	// SizeLimit stops after that many entries; 0 means no limit.
	SizeLimit int
}

// Entry is one directory object.
type Entry struct {
	DN         string              `json:"dn"`
	Attributes map[string][]string `json:"attributes"`
}

// Get returns the first value of attribute name (case-insensitive), or "".
func (e Entry) Get(name string) string {
	if v := e.Values(name); len(v) > 0 {
		return v[0]
	}
	return ""
}

// Values returns every value of attribute name (case-insensitive).
func (e Entry) Values(name string) []string {
	if v, ok := e.Attributes[name]; ok {
		return v
	}
	for k, v := range e.Attributes {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

// ModOp is the kind of one modification.
type ModOp int

// The LDAP modify operations.
const (
	ModAdd ModOp = iota
	ModDelete
	ModReplace
)

// Modification changes one attribute.
type Modification struct {
	Op        ModOp
	Attribute string
	Values    []string
}

// ModifyRequest changes one object.
type ModifyRequest struct {
	DN      string
	Changes []Modification
}

// Directory is an Active Directory domain reached over LDAP.
type Directory interface {
	// Search returns every matching entry, following paging as needed.
	Search(ctx context.Context, req SearchRequest) ([]Entry, error)
	// Modify changes one object. Server refusals come back as typed errors
	// (TransportError with KindExists, KindConstraint, KindSPNConflict, ...).
	Modify(ctx context.Context, req ModifyRequest) error
	// RootDSE reads the root DSE of the server the Directory is bound to.
	RootDSE(ctx context.Context) (Entry, error)
}

// Endpoint is one destination of a reach probe.
type Endpoint struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Protocol string `json:"protocol"` // "tcp" or "udp"
	// Kerberos asks for a real AS-REQ instead of a bare connect, so that a
	// UDP port counts as open only when a KDC answers.
	Kerberos bool `json:"kerberos,omitempty"`
}

// Reach is the outcome of one reach probe.
type Reach struct {
	Endpoint  Endpoint      `json:"endpoint"`
	Reachable bool          `json:"reachable"`
	Elapsed   time.Duration `json:"elapsed"`
	// Error says why a destination was not reached.
	Error string `json:"error,omitempty"`
}

// Prober checks reach from the machine rectify runs on.
type Prober interface {
	Probe(ctx context.Context, endpoints []Endpoint, timeout time.Duration) []Reach
}

// Connections hands actions the transports of one run. Implementations
// reuse one shell per host and one connection per domain.
type Connections interface {
	Shell(ctx context.Context, host string) (Shell, error)
	Directory(ctx context.Context, domain string) (Directory, error)
	Prober() Prober
}
