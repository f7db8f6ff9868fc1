package sambatest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/rectifyhq/rectify/internal/testenv"
)

// The names of the provisioned domain.
const (
	Realm    = "LAB.EXAMPLE.TEST"
	Domain   = "LAB"
	DNSName  = "lab.example.test"
	BaseDN   = "DC=lab,DC=example,DC=test"
	HostName = "dc01"
	// FQDN is the DC's host name, which its certificate carries besides
	// 127.0.0.1 and localhost.
	FQDN = HostName + "." + DNSName
	// AdminPassword is the Administrator password. It meets Samba's
	// complexity rules; it protects nothing but a throw-away test DC.
	AdminPassword = "Rectify-Test-Pa55!"
)

// Address was the one loopback address every DC listened on.
//
// Deprecated: each DC now listens on a loopback address of its own, so
// that test binaries and CI runs on one machine never collide; use DC.IP.
const Address = "127.0.0.1"

// The ports the DC listens on, at its own address (DC.IP).
const (
	PortLDAP     = 389
	PortLDAPS    = 636
	PortGC       = 3268
	PortGCS      = 3269
	PortKerberos = 88
	// PortKpasswd is the KDC's password service, which Samba also runs.
	PortKpasswd = 464
)

// DC is a running Samba AD domain controller.
type DC struct {
	// Dir holds the provisioned DC, its configuration and logs.
	Dir string
	// Conf is the smb.conf the DC runs with; samba-tool reads it with -s.
	Conf string
	// PKI is the CA and server certificate the DC serves.
	PKI PKI

	// ip is the loopback address the DC listens on, and only that one.
	ip string

	mu   sync.Mutex
	proc *exec.Cmd
	done chan struct{}
	out  *lockedWriter
}

// IP is the loopback address the DC listens on, chosen free for it
// (127.x.y.z); its certificate carries it besides FQDN.
func (dc *DC) IP() string { return dc.ip }

// Addr is the DC's host:port for port.
func (dc *DC) Addr(port int) string { return net.JoinHostPort(dc.ip, fmt.Sprint(port)) }

// LDAPSURL is ldaps://IP:636.
func (dc *DC) LDAPSURL() string { return "ldaps://" + dc.Addr(PortLDAPS) }

// LDAPURL is ldap://IP:389, for StartTLS.
func (dc *DC) LDAPURL() string { return "ldap://" + dc.Addr(PortLDAP) }

// GCSURL is the Global Catalog over TLS, ldaps://IP:3269.
func (dc *DC) GCSURL() string { return "ldaps://" + dc.Addr(PortGCS) }

// GCURL is the Global Catalog for StartTLS, ldap://IP:3268.
func (dc *DC) GCURL() string { return "ldap://" + dc.Addr(PortGC) }

// KDCAddress is IP:88, the KDC over UDP and TCP.
func (dc *DC) KDCAddress() string { return dc.Addr(PortKerberos) }

// AdminUPN is the Administrator's user principal name.
func (dc *DC) AdminUPN() string { return "Administrator@" + DNSName }

// AdminDownLevel is the Administrator's down-level logon name, LAB\Administrator.
func (dc *DC) AdminDownLevel() string { return Domain + `\Administrator` }

// AdminPassword returns the Administrator password.
func (dc *DC) AdminPassword() string { return AdminPassword }

// missing says why a DC cannot run here, or "" when it can.
func missing() string {
	if why := platformMissing(); why != "" {
		return why
	}
	if _, why := testenv.Find("samba", "samba"); why != "" {
		return why
	}
	// samba-tool comes with samba (samba-common-bin).
	if _, why := testenv.Find("samba-tool", "samba"); why != "" {
		return why
	}
	// samba-tool domain provision reads the schema from here.
	if why := testenv.FindFile(sambaSetup, "samba-ad-provision"); why != "" {
		return why
	}
	if why := testenv.FindPythonModule(pythonLDB, "ldb", "python3-ldb"); why != "" {
		return why
	}
	if os.Geteuid() != 0 {
		return "a Samba DC must run as root"
	}
	return ""
}

// sambaSetup holds the schema and templates of a new domain.
const sambaSetup = "/usr/share/samba/setup/ad-schema"

// provision creates a new domain in dir, served at ip alone, and writes the
// smb.conf to run it, with options (smb.conf's global parameters) set.
func provision(ctx context.Context, dir, ip string, options map[string]string) (*DC, error) {
	target := filepath.Join(dir, "dc")
	pidDir := filepath.Join(dir, "pid")
	tlsDir := filepath.Join(dir, "tls")
	for _, d := range []string{pidDir, tlsDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	pki, err := NewCA(tlsDir, FQDN, FQDN, ip)
	if err != nil {
		return nil, fmt.Errorf("make certificates: %w", err)
	}
	args := []string{"domain", "provision",
		"--realm=" + Realm, "--domain=" + Domain, "--server-role=dc", "--dns-backend=NONE",
		"--adminpass=" + AdminPassword, "--use-rfc2307", "--targetdir=" + target,
		"--host-name=" + HostName, "--host-ip=" + ip,
		// An address with a mask is taken as given, though no interface
		// carries it: Linux routes all of 127.0.0.0/8 to lo.
		"--option=interfaces=" + ip + "/8", "--option=bind interfaces only=yes",
		"--option=vfs objects=dfs_samba4 acl_xattr xattr_tdb",
		"--option=pid directory=" + pidDir,
		"--option=ldb:nosync=true",
	}
	if out, err := withoutSysAdmin(ctx, "samba-tool", args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("samba-tool domain provision: %w\n%s", err, tail(out))
	}
	conf := filepath.Join(target, "etc", "smb.conf")
	if err := adjustConf(conf, dir, pki, options); err != nil {
		return nil, err
	}
	return &DC{Dir: dir, Conf: conf, PKI: pki, ip: ip}, nil
}

// adjustConf adds the test's certificate, keeps logs in the test
// directory, runs only the services the tests use, and sets the options
// given.
func adjustConf(conf, dir string, pki PKI, options map[string]string) error {
	data, err := os.ReadFile(conf)
	if err != nil {
		return err
	}
	extra := map[string]string{
		"tls enabled":     "yes",
		"tls keyfile":     pki.KeyFile,
		"tls certfile":    pki.CertFile,
		"tls cafile":      pki.CAFile,
		"log file":        filepath.Join(dir, "log.%m"),
		"log level":       "1",
		"server services": "ldap, cldap, kdc",
		// A throw-away DC need not fsync every transaction: this makes
		// writes (and provisioning) several times faster.
		"ldb:nosync": "true",
	}
	for k, v := range options {
		extra[k] = v
	}
	var out []string
	inGlobal := false
	for _, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "[") {
			if inGlobal {
				for k, v := range extra {
					out = append(out, "\t"+k+" = "+v)
				}
				extra = nil
			}
			inGlobal = trimmed == "[global]"
		}
		if inGlobal {
			if k, _, ok := strings.Cut(trimmed, "="); ok {
				if _, replaced := extra[strings.TrimSpace(k)]; replaced {
					continue
				}
			}
		}
		out = append(out, line)
	}
	if extra != nil {
		return errors.New("smb.conf has no [global] section followed by another")
	}
	return os.WriteFile(conf, []byte(strings.Join(out, "\n")), 0o644)
}

// start runs samba in the foreground in its own process group and waits
// until LDAP, LDAPS, the Global Catalog and the KDC accept connections.
func (dc *DC) start(ctx context.Context) error {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	if dc.proc != nil {
		return errors.New("samba is already running")
	}
	cmd := withoutSysAdmin(context.Background(), "samba", "-i", "-M", "single", "-s", dc.Conf)
	ownProcessGroup(cmd)
	out := &lockedWriter{}
	cmd.Stdout = out
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start samba: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	dc.proc, dc.done, dc.out = cmd, done, out
	deadline := time.Now().Add(60 * time.Second)
	for _, p := range []int{PortLDAP, PortLDAPS, PortGC, PortGCS, PortKerberos} {
		addr := dc.Addr(p)
		for {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				c.Close()
				break
			}
			select {
			case <-done:
				dc.proc = nil
				return fmt.Errorf("samba exited before listening on %s:\n%s", addr, dc.output())
			case <-ctx.Done():
				dc.stopLocked()
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				dc.stopLocked()
				return fmt.Errorf("samba did not listen on %s within a minute:\n%s", addr, dc.output())
			}
		}
	}
	return nil
}

// Stop ends samba and every process it forked (its process group), and
// waits for them. It is safe to call more than once.
func (dc *DC) Stop() {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	dc.stopLocked()
}

func (dc *DC) stopLocked() {
	if dc.proc == nil {
		return
	}
	pgid := dc.proc.Process.Pid
	signalGroup(pgid, false)
	select {
	case <-dc.done:
	case <-time.After(10 * time.Second):
		signalGroup(pgid, true)
		<-dc.done
	}
	// Children left in the group (none with -M single) go too.
	signalGroup(pgid, true)
	dc.proc = nil
}

// Restart stops samba and starts it again on the same database.
func (dc *DC) Restart(ctx context.Context) error {
	dc.Stop()
	return dc.start(ctx)
}

func (dc *DC) output() string {
	if dc.out == nil {
		return ""
	}
	return dc.out.String()
}

func tail(b []byte) string {
	const max = 4000
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}

// lockedWriter collects samba's output for error messages.
type lockedWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return tail(l.buf.Bytes())
}

// withoutSysAdmin runs a command with CAP_SYS_ADMIN dropped from its
// bounding set (with util-linux's setpriv, when installed), so that the
// tests show the DC working where containers grant no CAP_SYS_ADMIN: the
// "vfs objects" option is what makes that possible.
func withoutSysAdmin(ctx context.Context, name string, args ...string) *exec.Cmd {
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		return exec.CommandContext(ctx, name, args...)
	}
	return exec.CommandContext(ctx, setpriv, append([]string{"--bounding-set=-sys_admin", "--", name}, args...)...)
}
