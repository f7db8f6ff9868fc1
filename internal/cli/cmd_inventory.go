package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/internal/ldap"
	"github.com/rectifyhq/rectify/internal/secret"
	"github.com/rectifyhq/rectify/inventory"
	"github.com/rectifyhq/rectify/inventory/discover"
)

// inventoryCommand holds the inventory subcommands; "discover" is the one
// there is.
type inventoryCommand struct {
	ldapURL     string
	gcURL       string
	startTLS    bool
	bindUser    string
	passwordEnv string
	caFile      string
	serverName  string
	out         string
	siteGroups  bool
	winrmHTTPS  bool
	winrmAuth   string
	winrmPort   int
	winrmCA     string
	resolve     bool
	dns         string
	timeout     time.Duration
	format      string
}

// The formats inventory discover writes.
const (
	inventoryHCL         = "hcl"
	inventoryAnsibleYAML = "ansible-yaml"
)

func (*inventoryCommand) Synopsis() string {
	return "Write an inventory of Exchange servers and DCs read from Active Directory"
}

func (*inventoryCommand) Usage() string {
	return `Usage: rectify inventory discover -ldap URL [-bind-user USER] [-password-env NAME] [options]

  Reads the Exchange servers of the forest (msExchExchangeServer objects in
  the configuration partition) and the domain controllers of the domain
  (userAccountControl bit 8192), with their sites, from the directory at
  -ldap, and writes an inventory: a winrm block reading its credentials from
  RECTIFY_WINRM_USER and RECTIFY_WINRM_PASSWORD, a domain block with the
  LDAP settings used here, and a host per server in the groups "exchange"
  and "dc".

  The winrm block reaches the hosts as a Windows server listens out of the
  box: HTTP on 5985, every message encrypted by the NTLM session. With
  -winrm-auth kerberos it logs on with Kerberos instead, the domain's DCs
  as the KDCs; with -winrm-https, over HTTPS on 5986 (every host needs a
  certificate).

  The bind password is read from the environment variable -password-env
  names (RECTIFY_LDAP_PASSWORD by default), never from a flag, and the
  inventory reads it from there too. Server names are mapped to safe
  lower-case host names; a directory name that differs is kept as the
  host's directory_name variable.

  -format ansible-yaml writes an Ansible YAML inventory instead, which
  rectify reads as well: the hosts by their DNS names, the WinRM
  connection in ansible_* variables and the domain's LDAP settings in
  rectify_* ones (docs/inventory.md). Without -format, an -out ending in
  .yml or .yaml gets that format.`
}

func (c *inventoryCommand) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.ldapURL, "ldap", "", "the domain controller `URL`: ldaps://HOST[:PORT], or ldap://HOST[:PORT] with -start-tls")
	fs.StringVar(&c.gcURL, "gc-url", "", "the Global Catalog `URL` to write into the inventory (default: the -ldap host on 3269)")
	fs.BoolVar(&c.startTLS, "start-tls", false, "upgrade an ldap:// connection with StartTLS")
	fs.StringVar(&c.bindUser, "bind-user", "", "bind as this `user` (user@corp.example.com or CORP\\user)")
	fs.StringVar(&c.passwordEnv, "password-env", discover.DefaultLDAPPasswordEnv, "the environment variable (`NAME`) holding the bind password")
	fs.StringVar(&c.caFile, "ca-file", "", "PEM `file` of the CA that signs the DCs' certificates (default: the system roots)")
	fs.StringVar(&c.serverName, "server-name", "", "the `name` the DC's certificate carries, when it is not the -ldap host")
	fs.StringVar(&c.out, "out", "", "write the inventory to `file` (default: standard output)")
	fs.BoolVar(&c.siteGroups, "site-groups", false, "put every host in a group named after its site (site-<name>)")
	fs.BoolVar(&c.winrmHTTPS, "winrm-https", false, "reach the hosts' WinRM over HTTPS (5986) instead of HTTP with message encryption (5985)")
	fs.StringVar(&c.winrmAuth, "winrm-auth", discover.WinRMAuthNTLM, "the WinRM authentication to write: `ntlm` or kerberos")
	fs.IntVar(&c.winrmPort, "winrm-port", 0, "the WinRM `port` the hosts listen on (default: 5985, or 5986 with -winrm-https)")
	fs.StringVar(&c.winrmCA, "winrm-ca-file", "", "with -winrm-https, PEM `file` of the CA of the hosts' WinRM certificates (default: -ca-file)")
	fs.BoolVar(&c.resolve, "resolve", false, "look every host up now and write its address (for a machine whose resolver does not know the domain)")
	fs.StringVar(&c.dns, "dns", "", "with -resolve, ask this DNS `server` (HOST[:PORT], such as a DC) instead of the system resolver")
	fs.DurationVar(&c.timeout, "timeout", ldap.DefaultTimeout, "bound one LDAP operation")
	fs.StringVar(&c.format, "format", "", "the inventory's `format`: hcl, or ansible-yaml (default: by -out's extension, else hcl)")
}

// writeFormat returns the format to write, from -format or -out.
func (c *inventoryCommand) writeFormat() (string, error) {
	switch c.format {
	case inventoryHCL, inventoryAnsibleYAML:
		return c.format, nil
	case "":
		if ext := strings.ToLower(filepath.Ext(c.out)); ext == ".yml" || ext == ".yaml" {
			return inventoryAnsibleYAML, nil
		}
		return inventoryHCL, nil
	}
	return "", fmt.Errorf("-format %q: use hcl or ansible-yaml", c.format)
}

func (c *inventoryCommand) Run(ctx context.Context, a *app, args []string) int {
	if len(args) != 1 || args[0] != "discover" {
		return usageError(a.env.Stderr, "inventory", errors.New(`expected the subcommand "discover"`))
	}
	if c.ldapURL == "" {
		return usageError(a.env.Stderr, "inventory", errors.New("-ldap is required"))
	}
	if c.winrmPort < 0 || c.winrmPort > 65535 {
		return usageError(a.env.Stderr, "inventory", fmt.Errorf("-winrm-port %d is not a port", c.winrmPort))
	}
	if c.winrmAuth != discover.WinRMAuthNTLM && c.winrmAuth != discover.WinRMAuthKerberos {
		return usageError(a.env.Stderr, "inventory", fmt.Errorf("-winrm-auth %q is not %q or %q", c.winrmAuth, discover.WinRMAuthNTLM, discover.WinRMAuthKerberos))
	}
	if c.winrmCA != "" && !c.winrmHTTPS {
		return usageError(a.env.Stderr, "inventory", errors.New("-winrm-ca-file applies to -winrm-https; over HTTP the logon's session encrypts the messages"))
	}
	if c.dns != "" {
		c.resolve = true
	}
	format, err := c.writeFormat()
	if err != nil {
		return usageError(a.env.Stderr, "inventory", err)
	}
	password := ""
	if c.bindUser != "" {
		p, ok := a.env.LookupEnv(c.passwordEnv)
		if !ok || p == "" {
			return usageError(a.env.Stderr, "inventory", fmt.Errorf("the bind password is read from the environment variable %s, which is not set", c.passwordEnv))
		}
		password = p
	}
	wd, err := a.env.Getwd()
	if err != nil {
		return c.fail(a, err)
	}
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(wd, p)
	}
	caFile, winrmCA, out := abs(c.caFile), abs(c.winrmCA), abs(c.out)
	if winrmCA == "" {
		winrmCA = caFile
	}

	dir, err := ldap.New(ldap.Config{
		URL: c.ldapURL, StartTLS: c.startTLS, BindUser: c.bindUser, Password: secret.New(password),
		CAFile: caFile, ServerName: c.serverName, GCURL: c.gcURL, Timeout: c.timeout, Logger: a.log,
	})
	if err != nil {
		return c.fail(a, err)
	}
	defer dir.Close()
	found, err := discover.Discover(ctx, dir)
	if err != nil {
		code := c.fail(a, err)
		// The bind's password comes from -password-env and its CA from
		// -ca-file: say so when the directory refused either.
		src := ldapSource{credentials: fmt.Sprintf("-bind-user and %s (-password-env)", c.passwordEnv), password: c.passwordEnv,
			trust: "a CA this machine trusts: give -ca-file the CA that issued it"}
		if caFile != "" {
			src.trust = fmt.Sprintf("a CA of %s (-ca-file): add the CA that issued it to that file", caFile)
		}
		if hint := ldapHint("the domain controller at "+hostOfURL(c.ldapURL), err, src); hint != "" {
			writeHints(a.env.Stderr, []string{hint})
		}
		return code
	}
	if c.resolve {
		lookup := net.DefaultResolver.LookupHost
		if c.dns != "" {
			lookup = resolverVia(c.dns).LookupHost
		}
		if err := found.Resolve(ctx, lookup); err != nil {
			return c.fail(a, err)
		}
	}

	// Paths in a file are relative to it when they lie below it; on
	// standard output, whose destination is unknown, they are absolute.
	outDir := ""
	if out != "" {
		outDir = filepath.Dir(out)
	}
	rel := func(p string) string {
		if p == "" || outDir == "" {
			return p
		}
		if r, err := filepath.Rel(outDir, p); err == nil && !strings.HasPrefix(r, "..") {
			return r
		}
		return p
	}
	write := discover.Write
	if format == inventoryAnsibleYAML {
		write = discover.WriteAnsibleYAML
	}
	data, err := write(found, discover.Settings{
		LDAP: discover.LDAP{
			URL: c.ldapURL, GCURL: c.gcURL, StartTLS: c.startTLS, BindUser: c.bindUser,
			PasswordEnv: c.passwordEnv, CAFile: rel(caFile), ServerName: c.serverName,
		},
		WinRM:      discover.WinRM{HTTPS: c.winrmHTTPS, Port: c.winrmPort, Auth: c.winrmAuth, CAFile: rel(winrmCA)},
		SiteGroups: c.siteGroups,
	})
	if err != nil {
		return c.fail(a, err)
	}
	if code := c.write(a, outDir, out, format, data); code != exitOK {
		return code
	}
	c.summary(a, found)
	return exitOK
}

// write checks that data loads as an inventory, from a file beside out so
// that relative paths resolve as they will, then puts it in place (or on
// standard output).
func (c *inventoryCommand) write(a *app, outDir, out, format string, data []byte) int {
	if outDir == "" {
		outDir = os.TempDir()
	}
	ext := ".hcl"
	if format == inventoryAnsibleYAML {
		ext = ".yml"
	}
	tmp, err := os.CreateTemp(outDir, ".discover-*"+ext)
	if err != nil {
		return c.fail(a, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return c.fail(a, err)
	}
	if err := tmp.Close(); err != nil {
		return c.fail(a, err)
	}
	// env() needs its variables only to load; any value will do here.
	_, diags := inventory.Load(tmp.Name(), func(string) (string, bool) { return "set", true })
	if diags.HasErrors() {
		fmt.Fprintf(a.env.Stderr, "rectify inventory: the discovered inventory does not load, so it was not written:\n%s\n", diags.Error())
		return exitError
	}
	if out == "" {
		if _, err := a.env.Stdout.Write(data); err != nil {
			return c.fail(a, err)
		}
		return exitOK
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return c.fail(a, err)
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return c.fail(a, err)
	}
	return exitOK
}

// summary tells on stderr what was found and what was left out.
func (c *inventoryCommand) summary(a *app, found *discover.Result) {
	w := a.env.Stderr
	fmt.Fprintf(w, "Found %d Exchange server(s) and %d domain controller(s) in %s", len(found.Exchange()), len(found.DCs()), found.Domain)
	if c.out != "" {
		fmt.Fprintf(w, "; wrote %s", c.out)
	}
	fmt.Fprintln(w, ".")
	if found.NoExchange {
		fmt.Fprintln(w, "The forest has no Exchange organisation (no CN=Microsoft Exchange,CN=Services in the configuration partition).")
	}
	for _, s := range found.Skipped {
		fmt.Fprintf(w, "Left out: %s\n", s)
	}
}

func (c *inventoryCommand) fail(a *app, err error) int {
	fmt.Fprintf(a.env.Stderr, "rectify inventory: %v\n", err)
	return exitError
}

// hostOfURL is the host (and port) an LDAP URL names, for hints.
func hostOfURL(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
}

// resolverVia returns a resolver that asks one DNS server.
func resolverVia(server string) *net.Resolver {
	if _, _, err := net.SplitHostPort(server); err != nil {
		server = net.JoinHostPort(server, "53")
	}
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, server)
		},
	}
}
