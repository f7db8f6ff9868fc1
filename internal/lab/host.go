package lab

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"
)

// Role is what a simulated Windows host is.
type Role string

// The roles of simulated hosts.
const (
	RoleExchange Role = "exchange"
	RoleDC       Role = "dc"
)

// Well-known registry paths.
const (
	KerberosParametersKey = `HKLM\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters`
	W32TimeParametersKey  = `HKLM\SYSTEM\CurrentControlSet\Services\W32Time\Parameters`
)

// defaultSkewTime is Kerberos' tolerance when SkewTime is not set.
const defaultSkewTime = 5 * time.Minute

// Host is one simulated Windows server. Its identity fields are fixed at
// creation; its state is guarded by mu and read through methods.
type Host struct {
	// Name is the short name in lower case ("ex01"); NetBIOS is the
	// computer name in upper case ("EX01").
	Name    string
	NetBIOS string
	FQDN    string
	Domain  string
	Site    string
	Role    Role
	// PDC marks the PDC emulator among the DCs.
	PDC bool
	// DC is the domain controller this host authenticates against (for an
	// Exchange server) or replicates time from (for a DC: the PDC).
	DC string
	// IP is the address the host claims in the simulated network (the
	// address its endpoint listens on).
	IP string

	// clock is the real time the host's clock is offset from.
	clock func() time.Time

	mu         sync.Mutex
	offset     time.Duration
	reg        registry
	events     eventLog
	services   map[string]string
	blocked    map[reachKey]bool
	connectors []ReceiveConnector
	queues     []Queue
	tickets    map[string][]CachedTicket // by logon session ("0x3e4")
	lastSync   SyncResult
	user       map[string]json.RawMessage
	// vm is the hypervisor the host runs on.
	vm virtualMachine
	// durations is how long each op takes here (SetOpDuration).
	durations map[string]time.Duration
}

// reachKey names one blocked destination.
type reachKey struct {
	to    string // host name
	port  int
	proto string
}

func newHost(name, fqdn, domain, site string, role Role) *Host {
	return &Host{
		Name:     strings.ToLower(name),
		NetBIOS:  strings.ToUpper(name),
		FQDN:     strings.ToLower(fqdn),
		Domain:   strings.ToLower(domain),
		Site:     site,
		Role:     role,
		clock:    time.Now,
		reg:      newRegistry(),
		events:   newEventLog(),
		services: map[string]string{"w32time": "Running", "netlogon": "Running"},
		blocked:  map[reachKey]bool{},
	}
}

// Now is the host's clock.
func (h *Host) Now() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.clock().Add(h.offset).UTC()
}

// ClockOffset is how far the host's clock is ahead of real time.
func (h *Host) ClockOffset() time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.offset
}

// SetClockOffset moves the host's clock.
func (h *Host) SetClockOffset(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.offset = d
}

// RegistryValue reads a value; path takes any PowerShell spelling.
func (h *Host) RegistryValue(path, name string) (v RegistryValue, keyExists, exists bool) {
	p, err := canonicalKeyPath(path)
	if err != nil {
		return RegistryValue{}, false, false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	keyExists, v, exists = h.reg.get(p, name)
	return v, keyExists, exists
}

// SetRegistryValue writes a value, creating the key.
func (h *Host) SetRegistryValue(path, name string, v RegistryValue) error {
	p, err := canonicalKeyPath(path)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.reg.set(p, name, v)
	return nil
}

// EnsureRegistryKey creates a key without values.
func (h *Host) EnsureRegistryKey(path string) error {
	p, err := canonicalKeyPath(path)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.reg.ensureKey(p)
	return nil
}

// skewTime is the host's Kerberos tolerance.
func (h *Host) skewTime() (time.Duration, bool) {
	v, _, ok := h.RegistryValue(KerberosParametersKey, "SkewTime")
	if !ok || v.Kind != "DWord" {
		return defaultSkewTime, false
	}
	return time.Duration(v.Data.(uint32)) * time.Minute, true
}

// kerberosLogging reports whether Kerberos error logging is on (LogLevel
// non-zero).
func (h *Host) kerberosLogging() bool {
	v, _, ok := h.RegistryValue(KerberosParametersKey, "LogLevel")
	if !ok {
		return false
	}
	switch d := v.Data.(type) {
	case uint32:
		return d != 0
	case uint64:
		return d != 0
	}
	return false
}

// Events returns a host's events of one log, newest first.
func (h *Host) Events(log string) []Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	list := h.events.logs[strings.ToLower(log)]
	out := make([]Event, 0, len(list))
	for i := len(list) - 1; i >= 0; i-- {
		out = append(out, list[i])
	}
	return out
}

// LogEvent appends an event to one of the host's logs.
func (h *Host) LogEvent(e Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events.append(e)
}

// Service reports a service's status ("Running", "Stopped") or "" when the
// host has no such service.
func (h *Host) Service(name string) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.services[strings.ToLower(name)]
}

// directoryRunning reports whether the host's directory service (NTDS,
// "Active Directory Domain Services") runs; it always does on a host that
// is not a DC, which has none to stop.
func (h *Host) directoryRunning() bool {
	return h.Role != RoleDC || !strings.EqualFold(h.Service("ntds"), "Stopped")
}

// SetService sets a service's status.
func (h *Host) SetService(name, status string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.services[strings.ToLower(name)] = status
}

// Block makes a destination port unreachable from this host, as a firewall
// between them would.
func (h *Host) Block(to string, port int, proto string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.blocked[reachKey{strings.ToLower(to), port, strings.ToLower(proto)}] = true
}

// Unblock lifts a Block.
func (h *Host) Unblock(to string, port int, proto string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.blocked, reachKey{strings.ToLower(to), port, strings.ToLower(proto)})
}

// Blocked reports whether a destination port is blocked from this host.
func (h *Host) Blocked(to string, port int, proto string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.blocked[reachKey{strings.ToLower(to), port, strings.ToLower(proto)}]
}

// Connectors returns copies of the host's receive connectors.
func (h *Host) Connectors() []ReceiveConnector {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]ReceiveConnector, len(h.connectors))
	for i, c := range h.connectors {
		out[i] = c.clone()
	}
	return out
}

// Connector returns a copy of one receive connector by name or identity.
func (h *Host) Connector(name string) (ReceiveConnector, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	i := h.connectorIndex(name)
	if i < 0 {
		return ReceiveConnector{}, false
	}
	return h.connectors[i].clone(), true
}

func (h *Host) connectorIndex(name string) int {
	return slices.IndexFunc(h.connectors, func(c ReceiveConnector) bool {
		return strings.EqualFold(c.Name, name) || strings.EqualFold(c.Identity, name)
	})
}

// Queues returns copies of the host's queues.
func (h *Host) Queues() []Queue {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.queues)
}

// Queue returns one queue by identity.
func (h *Host) Queue(identity string) (Queue, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, q := range h.queues {
		if strings.EqualFold(q.Identity, identity) {
			return q, true
		}
	}
	return Queue{}, false
}

// LastSync is the outcome of the last forced sync run on this DC.
func (h *Host) LastSync() SyncResult {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.lastSync
	r.Errors = slices.Clone(r.Errors)
	return r
}

// listens reports whether the host serves a port, by role.
func (h *Host) listens(port int, proto string) bool {
	switch strings.ToLower(proto) {
	case "tcp":
		common := []int{135, 445, 3389, 5985, 5986}
		if slices.Contains(common, port) {
			return true
		}
		if h.Role == RoleDC {
			return slices.Contains([]int{53, 88, 389, 464, 636, 3268, 3269}, port)
		}
		return slices.Contains([]int{25, 80, 443, 465, 587, 717, 2525}, port)
	case "udp":
		if port == 123 {
			return true
		}
		return h.Role == RoleDC && slices.Contains([]int{53, 88, 389, 464}, port)
	}
	return false
}
