package winrm

import (
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/lab/pki"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/internal/secret"
)

const (
	labUser     = `LAB\rectify`
	labPassword = "Lab-Pa55word-never-logged"
)

// testLab is a WS-Management server for one test, with the op runner as
// every host's Windows.
type testLab struct {
	srv    *wsman.Server
	ca     *pki.CA
	runner *opRunner
	// http is set when the hosts listen on HTTP (and require message
	// encryption unless the options allow plain messages).
	http bool
}

func newTestLab(t testing.TB, edit func(*wsman.Options)) *testLab {
	t.Helper()
	ca, err := pki.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	runner := newOpRunner()
	opts := wsman.Options{Runner: runner, CA: ca, Username: labUser, Password: labPassword, Port: wsman.AnyPort}
	if edit != nil {
		edit(&opts)
	}
	srv, err := wsman.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &testLab{srv: srv, ca: ca, runner: runner, http: opts.HTTP}
}

// host serves a host called name and returns it with a Config that
// reaches it with NTLM: over HTTPS verifying the lab CA, or over HTTP with
// message encryption when the lab serves HTTP.
func (l *testLab) host(t testing.TB, name string) (*wsman.Host, Config) {
	t.Helper()
	h, err := l.srv.AddHost(wsman.HostSpec{Name: name, DNSNames: []string{name + ".lab.example.test"}})
	if err != nil {
		t.Fatal(err)
	}
	ip, portText, err := net.SplitHostPort(h.Addr())
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(portText)
	return h, Config{
		Host:       name,
		Address:    ip,
		Port:       port,
		HTTPS:      !l.http,
		ServerName: name + ".lab.example.test",
		CAPEM:      l.ca.PEM(),
		Auth:       AuthNTLM,
		Username:   labUser,
		Password:   secret.New(labPassword),
		Timeout:    20 * time.Second,
	}
}

// shell returns a Shell for cfg, closed at the end of the test.
func newShell(t testing.TB, cfg Config) *Shell {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
