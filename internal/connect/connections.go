package connect

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/ldap"
	"github.com/rectifyhq/rectify/internal/winrm"
	"github.com/rectifyhq/rectify/ops"
)

// DefaultMaxShells bounds the hosts with open shells at once.
const DefaultMaxShells = 64

// Connections is actions.Connections over WinRM and LDAP. Close it when the
// run ends.
type Connections struct {
	shells    *winrm.Pool
	winrm     func(host string) (winrm.Config, error)
	dirConfig func(domain string) (ldap.Config, error)
	prober    actions.Prober

	mu   sync.Mutex
	dirs map[string]*ldap.Directory
}

var _ actions.Connections = (*Connections)(nil)

// Options says how hosts and domains are reached.
type Options struct {
	// WinRM returns the connection settings of a host.
	WinRM func(host string) (winrm.Config, error)
	// LDAP returns the connection settings of a domain.
	LDAP func(domain string) (ldap.Config, error)
	// Prober checks reach from this machine; nil means none is available.
	Prober actions.Prober
	// MaxShells bounds hosts with open shells; 0 means DefaultMaxShells.
	MaxShells int
}

// New returns the connections of one run. Nothing is dialled until used.
func New(opts Options) *Connections {
	n := opts.MaxShells
	if n <= 0 {
		n = DefaultMaxShells
	}
	return &Connections{
		shells:    winrm.NewPool(opts.WinRM, n),
		winrm:     opts.WinRM,
		dirConfig: opts.LDAP,
		prober:    opts.Prober,
		dirs:      map[string]*ldap.Directory{},
	}
}

// Shell implements actions.Connections. The shell hands the ops that
// authenticate beyond the host the session's delegated credentials, or
// else the credential of the host's WinRM account (see credentialShell).
func (c *Connections) Shell(ctx context.Context, host string) (ops.Shell, error) {
	s, err := c.shells.Shell(ctx, host)
	if err != nil {
		return nil, err
	}
	return credentialShell{Shell: s, host: host, onward: func() (onward, error) {
		if c.winrm == nil {
			return onward{}, nil
		}
		cfg, err := c.winrm(host)
		if err != nil {
			return onward{}, err
		}
		return onwardOf(cfg), nil
	}}, nil
}

// onwardOf is what a session with cfg authenticates onwards with: a
// delegated TGT when the logon forwards one, else the account's password.
func onwardOf(cfg winrm.Config) onward {
	switch {
	case cfg.Delegates():
		return onward{delegated: true}
	case cfg.Password.Reveal() != "":
		return onward{credential: &ops.Credential{User: cfg.Username, Password: cfg.Password.Reveal()}}
	}
	return onward{}
}

// Directory implements actions.Connections: one bound directory per
// domain, made on first use.
func (c *Connections) Directory(_ context.Context, domain string) (actions.Directory, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d, ok := c.dirs[domain]; ok {
		return d, nil
	}
	if c.dirConfig == nil {
		return nil, fmt.Errorf("domain %q: no directory settings", domain)
	}
	cfg, err := c.dirConfig(domain)
	if err != nil {
		return nil, fmt.Errorf("domain %q: %w", domain, err)
	}
	d, err := ldap.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("domain %q: %w", domain, err)
	}
	c.dirs[domain] = d
	return d, nil
}

// Prober implements actions.Connections.
func (c *Connections) Prober() actions.Prober {
	if c.prober == nil {
		return noProber{}
	}
	return c.prober
}

// Close closes every shell and directory connection.
func (c *Connections) Close() error {
	errs := []error{c.shells.Close()}
	c.mu.Lock()
	for _, d := range c.dirs {
		errs = append(errs, d.Close())
	}
	c.dirs = map[string]*ldap.Directory{}
	c.mu.Unlock()
	return errors.Join(errs...)
}

// noProber answers every reach probe with "no prober", so that an action
// that needs one fails clearly instead of hanging or passing.
type noProber struct{}

func (noProber) Probe(_ context.Context, eps []actions.Endpoint, _ time.Duration) []actions.Reach {
	out := make([]actions.Reach, len(eps))
	for i, ep := range eps {
		out[i] = actions.Reach{Endpoint: ep, Error: "no reach prober is configured on this machine"}
	}
	return out
}
