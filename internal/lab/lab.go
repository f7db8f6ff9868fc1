package lab

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/jcmturner/gokrb5/v8/keytab"

	"github.com/rectifyhq/rectify/internal/lab/directory"
	"github.com/rectifyhq/rectify/internal/lab/pki"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
)

// AnyPort, as a port option, lets the system pick a free port per host.
const AnyPort = -1

// Options configure a lab.
type Options struct {
	// Username and Password are the one account every endpoint accepts,
	// for WinRM and for LDAP binds. Empty means `CORP\rectify` (with the
	// scenario's NetBIOS domain) and a fresh random password.
	Username string
	Password string
	// HTTPS serves WinRM over HTTPS (port 5986). By default hosts listen
	// as a default Windows server does: HTTP on 5985, taking only messages
	// encrypted by the NTLM session (AllowUnencrypted = false).
	HTTPS bool
	// AllowUnencrypted lets HTTP hosts take plain messages too, as the
	// WinRM service setting of that name does.
	AllowUnencrypted bool
	// Keytab, when set, holds the service keys of the hosts' HTTP/<fqdn>
	// SPNs as a KDC issued them: hosts then accept Kerberos tickets of the
	// lab's account from that KDC (see wsman.Options.Keytab).
	Keytab *keytab.Keytab
	// DisableBasic and DisableNTLM turn a WinRM authentication scheme off,
	// as a host's WinRM service configuration can.
	DisableBasic bool
	DisableNTLM  bool
	// WinRMPort is the port every host's WinRM endpoint listens on: 0 means
	// WinRM's own (5985, or 5986 with HTTPS), AnyPort a free one per host.
	// When the port is taken or not allowed, the host gets a free one.
	WinRMPort int
	// LDAPPorts are the ports of each DC's LDAP servers; zero fields mean
	// AD's (389, 636, 3268, 3269). AnyPort picks free ports.
	LDAPPorts LDAPPorts
	// FirstAddress is the loopback address of the first host; the next
	// hosts get the following ones. Zero means 127.1.0.11. Where loopback
	// aliases cannot be bound, every host listens on 127.0.0.1 with its own
	// ports.
	FirstAddress netip.Addr
	// Latency delays every WinRM and LDAP answer of every host.
	Latency time.Duration
	// Dir is where the lab writes its CA certificate; empty means a
	// temporary directory removed by Close.
	Dir string
	// Clock is the real time every host's clock is offset from; nil means
	// time.Now. Tests fix it to get reproducible output. Replication
	// schedules run on it too.
	Clock func() time.Time
	// Locale is the language of the hosts' native tools and error
	// messages; "" means English (LocaleEnglish).
	Locale Locale
	// QueueAttemptDelay is how long the delivery attempt Retry-Queue starts
	// takes to show its outcome; zero means 400ms. The queue is Active
	// meanwhile.
	QueueAttemptDelay time.Duration
	// OpDurations makes ops slow on every host: each named op takes that
	// long, alone or in a batch (see Host.SetOpDuration).
	OpDurations map[string]time.Duration
}

// LDAPPorts are the four ports of a DC's LDAP service.
type LDAPPorts struct {
	LDAP, LDAPS, GC, GCS int
}

// Lab is a running simulated organisation. Its methods are safe for
// concurrent use.
type Lab struct {
	scenario Scenario
	org      *Org
	dir      *directory.Directory
	ca       *pki.CA
	caPath   string
	tmpDir   string
	username string
	password string
	winrm    *wsman.Server
	https    bool
	// allowUnencrypted: HTTP hosts take plain messages too.
	allowUnencrypted bool
	hosts            map[string]*wsman.Host
	ldap             map[string]*dcLDAP
}

// Start seeds the scenario's organisation and serves it: a WinRM endpoint
// per host and LDAP servers (LDAP, LDAPS, GC) per DC, each host on its own
// loopback address. The lab runs until Close; ctx bounds only the start.
func Start(ctx context.Context, sc Scenario, opts Options) (lab *Lab, err error) {
	l := &Lab{scenario: sc, https: opts.HTTPS, allowUnencrypted: opts.AllowUnencrypted, hosts: map[string]*wsman.Host{}, ldap: map[string]*dcLDAP{}}
	defer func() {
		if err != nil {
			l.Close()
		}
	}()
	l.username, l.password = opts.Username, opts.Password
	if l.username == "" {
		l.username = sc.NetBIOS + `\rectify`
	}
	if l.password == "" {
		if l.password, err = randomPassword(); err != nil {
			return nil, err
		}
	}

	port := opts.WinRMPort
	if port == 0 {
		port = 5985
		if opts.HTTPS {
			port = 5986
		}
	}
	ips, err := allocateAddresses(sc, opts.FirstAddress, port, opts.LDAPPorts)
	if err != nil {
		return nil, err
	}
	clock := opts.Clock
	if clock == nil {
		clock = time.Now
	}
	locale, err := ParseLocale(string(opts.Locale))
	if err != nil {
		return nil, err
	}
	l.org, l.dir, err = seedOrg(sc, ips, clock)
	if err != nil {
		return nil, fmt.Errorf("seed scenario %s: %w", sc.Name, err)
	}
	l.org.locale = locale
	l.org.account = credentialCheck{user: l.username, password: l.password}
	if opts.QueueAttemptDelay > 0 {
		l.org.attemptDelay = opts.QueueAttemptDelay
	}
	for _, h := range l.org.Hosts() {
		for op, d := range opts.OpDurations {
			h.SetOpDuration(op, d)
		}
	}

	if l.ca, err = pki.NewCA(); err != nil {
		return nil, err
	}
	dir := opts.Dir
	if dir == "" {
		if l.tmpDir, err = os.MkdirTemp("", "rectify-lab-"); err != nil {
			return nil, err
		}
		dir = l.tmpDir
	}
	l.caPath = filepath.Join(dir, "lab-ca.pem")
	if err := l.ca.WritePEM(l.caPath); err != nil {
		return nil, err
	}

	l.winrm, err = wsman.NewServer(wsman.Options{
		Runner:           runner{org: l.org},
		CA:               l.ca,
		HTTP:             !opts.HTTPS,
		AllowUnencrypted: opts.AllowUnencrypted,
		Keytab:           opts.Keytab,
		Username:         l.username,
		Password:         l.password,
		Domain:           sc.NetBIOS,
		DNSDomain:        sc.Domain,
		Port:             AnyPort,
		DisableBasic:     opts.DisableBasic,
		DisableNTLM:      opts.DisableNTLM,
	})
	if err != nil {
		return nil, err
	}
	for _, h := range l.org.Hosts() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ep, err := l.addWinRMHost(h, port)
		if err != nil {
			return nil, err
		}
		if opts.Latency > 0 {
			if err := ep.SetFaults(wsman.Faults{Latency: opts.Latency}); err != nil {
				return nil, err
			}
		}
		l.hosts[h.Name] = ep
		if h.Role == RoleDC {
			d, err := l.startLDAP(h, opts.LDAPPorts)
			if err != nil {
				return nil, fmt.Errorf("ldap on %s: %w", h.Name, err)
			}
			if opts.Latency > 0 {
				d.srv.SetLatency(opts.Latency)
			}
			l.ldap[h.Name] = d
		}
	}
	return l, nil
}

// addWinRMHost serves a host on its address and the wanted port, or on a
// free port of its address when that one cannot be bound.
func (l *Lab) addWinRMHost(h *Host, port int) (*wsman.Host, error) {
	spec := wsman.HostSpec{Name: h.Name, DNSNames: []string{h.FQDN, h.NetBIOS}}
	if port != AnyPort {
		spec.Addr = net.JoinHostPort(h.IP, strconv.Itoa(port))
		ep, err := l.winrm.AddHost(spec)
		if err == nil {
			return ep, nil
		}
		if !errors.Is(err, syscall.EADDRINUSE) && !errors.Is(err, syscall.EACCES) {
			return nil, err
		}
	}
	spec.Addr = net.JoinHostPort(h.IP, "0")
	return l.winrm.AddHost(spec)
}

// allocateAddresses gives each host its own loopback address from first
// on, skipping addresses where a port the host needs is taken (another lab
// may run beside this one), or 127.0.0.1 for all when loopback aliases
// cannot be bound.
func allocateAddresses(sc Scenario, first netip.Addr, winrmPort int, ldapPorts LDAPPorts) (map[string]string, error) {
	if !first.IsValid() {
		first = netip.AddrFrom4([4]byte{127, 1, 0, 11})
	}
	out := map[string]string{}
	ln, err := net.Listen("tcp", netip.AddrPortFrom(first, 0).String())
	if err != nil {
		for _, h := range sc.Hosts {
			out[h.Name] = "127.0.0.1"
		}
		return out, nil
	}
	ln.Close()
	ip := first
	for _, h := range sc.Hosts {
		ports := []int{winrmPort}
		if h.Role == RoleDC {
			ports = append(ports, ldapPorts.resolved()...)
		}
		for tries := 0; ; tries++ {
			if !ip.IsLoopback() || tries > 4096 {
				return nil, fmt.Errorf("no free loopback address for host %s from %s on", h.Name, first)
			}
			free := portsFree(ip, ports)
			cur := ip
			ip = nextAddr(ip)
			if free {
				out[h.Name] = cur.String()
				break
			}
		}
	}
	return out, nil
}

// portsFree reports whether no other listener holds any of the ports on
// ip. A port the process may not bind (a privileged one) does not count:
// the host then gets a free port instead.
func portsFree(ip netip.Addr, ports []int) bool {
	for _, p := range ports {
		if p <= 0 {
			continue
		}
		ln, err := net.Listen("tcp", netip.AddrPortFrom(ip, uint16(p)).String())
		if errors.Is(err, syscall.EADDRINUSE) {
			return false
		}
		if err == nil {
			ln.Close()
		}
	}
	return true
}

// resolved lists the ports asked for, AD's for zero fields, none for
// AnyPort ones.
func (p LDAPPorts) resolved() []int {
	var out []int
	for _, pair := range [][2]int{{p.LDAP, 389}, {p.LDAPS, 636}, {p.GC, 3268}, {p.GCS, 3269}} {
		switch pair[0] {
		case 0:
			out = append(out, pair[1])
		case AnyPort:
		default:
			out = append(out, pair[0])
		}
	}
	return out
}

// nextAddr steps to the next address, skipping .0 and .255.
func nextAddr(ip netip.Addr) netip.Addr {
	for {
		ip = ip.Next()
		b := ip.As4()
		if b[3] != 0 && b[3] != 255 {
			return ip
		}
	}
}

func randomPassword() (string, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "Lab-" + base64.RawURLEncoding.EncodeToString(b), nil
}

// Close stops every endpoint and removes what the lab wrote to a
// temporary directory. Nothing keeps running afterwards.
func (l *Lab) Close() error {
	var errs []error
	if l.winrm != nil {
		errs = append(errs, l.winrm.Close())
	}
	for _, d := range l.ldap {
		errs = append(errs, d.close())
	}
	if l.tmpDir != "" {
		errs = append(errs, os.RemoveAll(l.tmpDir))
	}
	return errors.Join(errs...)
}

// runner runs the WinRM endpoints' commands against the organisation.
type runner struct{ org *Org }

var _ wsman.Runner = runner{}

func (r runner) Run(ctx context.Context, host string, cmd wsman.Command, stdin io.Reader, stdout, stderr io.Writer) int {
	return r.org.Run(withLogon(ctx, cmd.Logon), host, cmd.Line, cmd.Executable, cmd.Arguments, stdin, stdout, stderr)
}
