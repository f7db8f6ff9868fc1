package drift_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/actions/builtin"
	"github.com/rectifyhq/rectify/drift"
	"github.com/rectifyhq/rectify/engine"
	"github.com/rectifyhq/rectify/internal/connect"
	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/lab/ldapd"
	"github.com/rectifyhq/rectify/internal/ldap"
	"github.com/rectifyhq/rectify/internal/secret"
	"github.com/rectifyhq/rectify/internal/winrm"
	"github.com/rectifyhq/rectify/operation"
	"github.com/rectifyhq/rectify/plans"
	"github.com/rectifyhq/rectify/playbooks"
)

// The environment of a watcher process started by a test: the path of a
// labAccess file, and the lab's password (kept out of the file).
const (
	envChild         = "RECTIFY_DRIFT_TEST_CHILD"
	envChildPassword = "RECTIFY_DRIFT_TEST_PASSWORD"
)

// TestMain runs a watcher cycle instead of the tests when the test binary
// is started as a child watcher process.
func TestMain(m *testing.M) {
	if path := os.Getenv(envChild); path != "" {
		if err := runChild(path); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// labAccess is how a child process reaches the parent's lab.
type labAccess struct {
	Hosts    []actions.Host    `json:"hosts"`
	WinRM    map[string]string `json:"winrm"` // host name -> host:port
	HTTPS    bool              `json:"https"` // else HTTP, messages sealed
	CAPEM    []byte            `json:"ca_pem"`
	Username string            `json:"username"`
	LDAPURL  string            `json:"ldap_url"`
	GCURL    string            `json:"gc_url"`
	Journal  string            `json:"journal"`
	// Soak, when set, runs the watcher on a one-second schedule until
	// SIGTERM, printing its figures every minute; otherwise the child runs
	// one cycle.
	Soak bool `json:"soak"`
}

func (e *env) access(journalPath string) labAccess {
	a := labAccess{Hosts: e.h.Hosts(), WinRM: map[string]string{}, HTTPS: e.h.Lab.HTTPS(), CAPEM: e.h.Lab.CAPEM(), Username: e.h.Lab.Username(), Journal: journalPath}
	for _, h := range a.Hosts {
		ep, _ := e.h.Lab.WinRM(h.Name)
		a.WinRM[h.Name] = ep.Addr()
	}
	pdc := e.h.Lab.DCs()[0]
	a.LDAPURL = "ldaps://" + e.h.Lab.LDAPAddr(pdc, ldapd.LDAPS)
	a.GCURL = "ldaps://" + e.h.Lab.LDAPAddr(pdc, ldapd.GCS)
	return a
}

// connections opens transports to the lab described by a.
func (a labAccess) connections(password string) *connect.Connections {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(a.CAPEM)
	fqdn := map[string]string{}
	for _, h := range a.Hosts {
		fqdn[h.Name] = h.FQDN
	}
	return connect.New(connect.Options{
		WinRM: func(name string) (winrm.Config, error) {
			host, portText, err := net.SplitHostPort(a.WinRM[name])
			if err != nil {
				return winrm.Config{}, fmt.Errorf("host %s: %w", name, err)
			}
			port, err := strconv.Atoi(portText)
			if err != nil {
				return winrm.Config{}, err
			}
			return winrm.Config{Host: name, Address: host, Port: port, HTTPS: a.HTTPS, ServerName: fqdn[name], RootCAs: pool,
				Auth: winrm.AuthNTLM, Username: a.Username, Password: secret.New(password),
				Timeout: 30 * time.Second, OperationTimeout: 5 * time.Second, DialTimeout: 5 * time.Second, MaxAttempts: 2}, nil
		},
		LDAP: func(string) (ldap.Config, error) {
			return ldap.Config{URL: a.LDAPURL, GCURL: a.GCURL, RootCAs: pool, BindUser: a.Username, Password: secret.New(password), Timeout: 10 * time.Second}, nil
		},
	})
}

// fixedClock stands still (the child watches inside the change window).
type fixedClock time.Time

func (c fixedClock) Now() time.Time                         { return time.Time(c) }
func (c fixedClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// runChild is a watcher process: one correct-mode cycle against the lab.
func runChild(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var a labAccess
	if err := json.Unmarshal(raw, &a); err != nil {
		return err
	}
	ctx := context.Background()
	j, err := journal.Open(ctx, a.Journal)
	if err != nil {
		return err
	}
	defer j.Close()
	reg := builtin.Registry()
	var clock drift.Clock = fixedClock(inWindow)
	logger := zerolog.New(os.Stderr)
	var onCycle func(drift.CycleReport)
	soak := newSoakPrinter()
	if a.Soak {
		clock, logger, onCycle = shiftedClock{start: inWindow, base: time.Now()}, zerolog.Nop(), soak.cycle
	}
	w, err := drift.New(drift.Config{
		Name: "exchange-454", Mode: drift.Correct, Store: j,
		Operator: &operation.Runner{Journal: j, Engine: &engine.Engine{Registry: reg, Version: "test"}, Log: logger},
		Logger:   logger, Clock: clock, Schedule: drift.Every(time.Second), OnCycle: onCycle,
		Prepare: func(ctx context.Context) (*drift.Cycle, error) {
			r, diags := playbooks.Load(examplePlaybook, reg, playbooks.EvalInput{Hosts: a.Hosts})
			if diags.HasErrors() {
				return nil, diags
			}
			in, err := engine.NewInput(r, examplePlaybook, a.Hosts, plans.InventoryRef{Path: "/lab/inventory.hcl", Digest: "sha256:lab"}, nil)
			if err != nil {
				return nil, err
			}
			return &drift.Cycle{Input: in, Conns: a.connections(os.Getenv(envChildPassword))}, nil
		},
	})
	if err != nil {
		return err
	}
	if a.Soak {
		return soakChild(ctx, w, soak)
	}
	rep, err := w.RunOnce(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "cycle %d: %s: %s\n", rep.RunID, rep.Outcome, rep.Summary)
	return nil
}
