package actions

import (
	"context"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/ops"
)

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
	Shell(ctx context.Context, host string) (ops.Shell, error)
	Directory(ctx context.Context, domain string) (Directory, error)
	Prober() Prober
}

// Connections hand out Shells for ops.Call.
var _ ops.Shells = Connections(nil)
