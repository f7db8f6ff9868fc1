package wsman

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/jcmturner/gokrb5/v8/keytab"

	"github.com/rectifyhq/rectify/internal/lab/pki"
)

// AnyPort, as Options.Port, lets the system pick each host's port.
const AnyPort = -1

// Defaults of the WinRM service configuration the server follows.
const (
	DefaultMaxEnvelopeSizeKB = 500              // MaxEnvelopeSizekb
	DefaultMaxShellsPerHost  = 30               // MaxShellsPerUser
	DefaultIdleTimeout       = 2 * time.Hour    // IdleTimeout (PT7200S)
	DefaultOperationTimeout  = 60 * time.Second // when the client sends none
	MaxOperationTimeout      = 60 * time.Second // MaxTimeoutms
)

// Options configure a Server. Runner, Username and Password are required,
// and CA unless HTTP is set.
type Options struct {
	// Runner runs the commands of every host.
	Runner Runner
	// CA issues each host's certificate for HTTPS.
	CA *pki.CA
	// HTTP serves HTTP (WinRM's port 5985) instead of HTTPS. As on a
	// default Windows server, messages must then be encrypted by the NTLM
	// session (multipart/encrypted, MS-WSMV 2.2.9.1) unless
	// AllowUnencrypted is set; Basic is not offered.
	HTTP bool
	// AllowUnencrypted accepts plain SOAP over HTTP, as the WinRM service
	// setting of that name does.
	AllowUnencrypted bool

	// Username and Password are the one account every host accepts, as
	// "name", `DOMAIN\name` or "name@domain".
	Username string
	Password string
	// Domain is the NetBIOS domain name hosts announce in NTLM challenges
	// ("LAB"); DNSDomain the DNS one ("lab.example.test").
	Domain    string
	DNSDomain string
	// Keytab, when set, holds the service keys of the hosts' SPNs
	// (HTTP/<fqdn>, as a KDC issues tickets for them): hosts then accept
	// Kerberos under the Negotiate and Kerberos schemes, verify the
	// client's AP-REQ with it, answer with an AP-REP, and report the logon
	// as Kerberos, delegated when the client forwarded its TGT.
	Keytab *keytab.Keytab
	// DisableBasic and DisableNTLM turn an authentication scheme off.
	DisableBasic bool
	DisableNTLM  bool

	// Port is the port every host listens on: 0 means WinRM's (5986 for
	// HTTPS, 5985 for HTTP), AnyPort an ephemeral one.
	Port int
	// FirstAddress is the loopback address of the first host added without
	// one; the next hosts get the following addresses, skipping those whose
	// port another listener holds. Zero means 127.1.0.11. Where loopback
	// aliases cannot be bound (outside Linux), hosts fall back to their own
	// port on 127.0.0.1.
	FirstAddress netip.Addr

	// MaxEnvelopeSizeKB bounds a request's SOAP envelope; larger ones get
	// the w:EncodingLimit fault. Zero means 500.
	MaxEnvelopeSizeKB int
	// MaxShellsPerHost bounds the open shells of a host; zero means 30.
	MaxShellsPerHost int
	// IdleTimeout closes shells that saw no request for this long; zero
	// means two hours.
	IdleTimeout time.Duration
}

// Server serves the WinRM endpoints of many simulated hosts. Its methods are
// safe for concurrent use.
type Server struct {
	opts Options

	// clock tells the time for shell expiry; tests replace it.
	clock func() time.Time

	mu      sync.Mutex
	hosts   map[string]*Host
	next    netip.Addr
	closed  bool
	noAlias bool // loopback aliases cannot be bound here
}

// NewServer validates opts and returns a server with no hosts yet.
func NewServer(opts Options) (*Server, error) {
	if opts.Runner == nil {
		return nil, errors.New("wsman: no runner")
	}
	if opts.Username == "" || opts.Password == "" {
		return nil, errors.New("wsman: no account")
	}
	if !opts.HTTP && opts.CA == nil {
		return nil, errors.New("wsman: HTTPS needs a CA")
	}
	if opts.DisableBasic && opts.DisableNTLM && opts.Keytab == nil {
		return nil, errors.New("wsman: every authentication scheme is disabled")
	}
	if opts.Port == 0 {
		opts.Port = 5986
		if opts.HTTP {
			opts.Port = 5985
		}
	}
	if opts.Port == AnyPort {
		opts.Port = 0
	}
	if !opts.FirstAddress.IsValid() {
		opts.FirstAddress = netip.AddrFrom4([4]byte{127, 1, 0, 11})
	}
	if opts.MaxEnvelopeSizeKB <= 0 {
		opts.MaxEnvelopeSizeKB = DefaultMaxEnvelopeSizeKB
	}
	if opts.MaxShellsPerHost <= 0 {
		opts.MaxShellsPerHost = DefaultMaxShellsPerHost
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = DefaultIdleTimeout
	}
	if opts.Domain == "" {
		opts.Domain = "LAB"
	}
	if opts.DNSDomain == "" {
		opts.DNSDomain = "lab.example.test"
	}
	return &Server{
		opts:  opts,
		hosts: make(map[string]*Host),
		next:  opts.FirstAddress,
		clock: time.Now,
	}, nil
}

func (s *Server) now() time.Time { return s.clock() }

// HostSpec describes a host to serve.
type HostSpec struct {
	// Name is the host's name, passed to the Runner; unique per server.
	Name string
	// DNSNames are further names for its certificate (its FQDN).
	DNSNames []string
	// Addr is the address to listen on ("127.1.0.20:5986"); empty
	// allocates the next loopback address (see Options.FirstAddress).
	Addr string
}

// AddHost starts serving a host on its own listener.
func (s *Server) AddHost(spec HostSpec) (*Host, error) {
	if spec.Name == "" {
		return nil, errors.New("wsman: host without a name")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errors.New("wsman: server closed")
	}
	if _, ok := s.hosts[spec.Name]; ok {
		return nil, fmt.Errorf("wsman: host %q already served", spec.Name)
	}
	ln, err := s.listenLocked(spec.Addr)
	if err != nil {
		return nil, fmt.Errorf("wsman: host %q: %w", spec.Name, err)
	}
	h, err := newHost(s, spec, ln)
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("wsman: host %q: %w", spec.Name, err)
	}
	s.hosts[spec.Name] = h
	return h, nil
}

// listenLocked binds addr, or the next free loopback address.
func (s *Server) listenLocked(addr string) (net.Listener, error) {
	if addr != "" {
		return net.Listen("tcp", addr)
	}
	if !s.noAlias {
		// Other servers (other processes) may hold many addresses on the
		// same port; a refused bind costs microseconds.
		for tries := 0; tries < 8192; tries++ {
			ip := s.next
			s.next = nextHostAddr(ip)
			ln, err := net.Listen("tcp", netip.AddrPortFrom(ip, uint16(s.opts.Port)).String())
			if err == nil {
				return ln, nil
			}
			if errors.Is(err, syscall.EADDRINUSE) {
				continue
			}
			s.noAlias = true // loopback aliases are not routed here
			break
		}
	}
	return net.Listen("tcp", "127.0.0.1:0")
}

// nextHostAddr steps to the next address, skipping .0 and .255.
func nextHostAddr(ip netip.Addr) netip.Addr {
	for {
		ip = ip.Next()
		b := ip.As4()
		if b[3] != 0 && b[3] != 255 {
			return ip
		}
	}
}

// Host returns the host called name, or nil.
func (s *Server) Host(name string) *Host {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hosts[name]
}

// Hosts returns every host, sorted by name.
func (s *Server) Hosts() []*Host {
	s.mu.Lock()
	hosts := make([]*Host, 0, len(s.hosts))
	for _, h := range s.hosts {
		hosts = append(hosts, h)
	}
	s.mu.Unlock()
	sort.Slice(hosts, func(i, j int) bool { return hosts[i].name < hosts[j].name })
	return hosts
}

// Counts returns the sum of every host's counters.
func (s *Server) Counts() Counts {
	var total Counts
	for _, h := range s.Hosts() {
		total = total.Add(h.Counts())
	}
	return total
}

// Close stops every host: listeners, connections and commands.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	hosts := make([]*Host, 0, len(s.hosts))
	for _, h := range s.hosts {
		hosts = append(hosts, h)
	}
	s.mu.Unlock()
	var errs []error
	for _, h := range hosts {
		errs = append(errs, h.close())
	}
	return errors.Join(errs...)
}
