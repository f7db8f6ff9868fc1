package wsman

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/masterzen/winrm"

	"github.com/rectifyhq/rectify/internal/lab/pki"
	"github.com/rectifyhq/rectify/internal/lab/wsman/wsmantest"
)

const (
	testUser     = `LAB\rectify`
	testPassword = "S3cret-lab-pass!"
)

// testRunner is a tiny command interpreter for the tests:
//
//	echo WORDS...    prints the words
//	upper CODE       copies stdin upper-cased to stdout, reports the byte
//	                 count on stderr, exits with CODE
//	sleep DURATION   prints "slept" after DURATION, or exits 130 when canceled
//	hostname         prints the host's name
//	repeat N         prints N bytes of a repeating pattern
//	count            prints the number of stdin bytes
//	panic            panics
//
// Anything else is answered as cmd.exe answers an unknown program.
func testRunner() Runner {
	return RunnerFunc(func(ctx context.Context, host string, cmd Command, stdin io.Reader, stdout, stderr io.Writer) int {
		arg := func(i int) string {
			if i < len(cmd.Arguments) {
				return cmd.Arguments[i]
			}
			return ""
		}
		switch cmd.Executable {
		case "echo":
			fmt.Fprintf(stdout, "%s\r\n", strings.Join(cmd.Arguments, " "))
			return 0
		case "upper":
			data, err := io.ReadAll(stdin)
			if err != nil {
				fmt.Fprintf(stderr, "read stdin: %v", err)
				return 2
			}
			stdout.Write(bytes.ToUpper(data))
			fmt.Fprintf(stderr, "read %d bytes", len(data))
			code, _ := strconv.Atoi(arg(0))
			return code
		case "sleep":
			d, _ := time.ParseDuration(arg(0))
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-t.C:
				fmt.Fprint(stdout, "slept")
				return 0
			case <-ctx.Done():
				return 130
			}
		case "hostname":
			fmt.Fprint(stdout, host)
			return 0
		case "repeat":
			n, _ := strconv.Atoi(arg(0))
			for i := 0; i < n; i += 10 {
				stdout.Write([]byte("0123456789")[:min(10, n-i)])
			}
			return 0
		case "count":
			n, err := io.Copy(io.Discard, stdin)
			if err != nil {
				return 2
			}
			fmt.Fprint(stdout, n)
			return 0
		case "panic":
			panic("boom")
		}
		fmt.Fprintf(stderr, "'%s' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n", cmd.Executable)
		return 1
	})
}

// lab is a server for one test, with its CA written to disk.
type lab struct {
	srv    *Server
	ca     *pki.CA
	caPath string
}

// newLab starts a server with the test account; edit adjusts its options.
// Hosts get ephemeral ports on their loopback addresses, so that tests in
// other processes that use WinRM's port cannot take an address a test frees
// (an unreachable host closes its listener).
func newLab(t testing.TB, edit func(*Options)) *lab {
	t.Helper()
	ca, err := pki.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Runner: testRunner(), CA: ca, Username: testUser, Password: testPassword, Port: AnyPort}
	if edit != nil {
		edit(&opts)
	}
	srv, err := NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	path := filepath.Join(t.TempDir(), "lab-ca.pem")
	if err := ca.WritePEM(path); err != nil {
		t.Fatal(err)
	}
	return &lab{srv: srv, ca: ca, caPath: path}
}

func (l *lab) host(t testing.TB, name string) *Host {
	t.Helper()
	h, err := l.srv.AddHost(HostSpec{Name: name, DNSNames: []string{name + ".lab.example.test"}})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// masterzen returns a masterzen/winrm client for h that verifies TLS
// against the lab CA, with NTLM or Basic, and a per-response timeout.
func (l *lab) masterzen(t testing.TB, h *Host, ntlm bool, timeout time.Duration) *winrm.Client {
	t.Helper()
	ip, portText, err := net.SplitHostPort(h.Addr())
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(portText)
	https := !l.srv.opts.HTTP
	endpoint := winrm.NewEndpoint(ip, port, https, false, l.ca.PEM(), nil, nil, timeout)
	params := winrm.NewParameters("PT60S", "en-US", 153600)
	if ntlm {
		params.TransportDecorator = func() winrm.Transporter { return &wsmantest.NTLM{User: testUser, Password: testPassword} }
	}
	client, err := winrm.NewClientWithParameters(endpoint, testUser, testPassword, params)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// rawClient posts hand-made envelopes with Basic authentication.
type rawClient struct {
	url  string
	http *http.Client
	user string
	pass string
}

func (l *lab) raw(h *Host) *rawClient {
	return &rawClient{
		url: h.URL(),
		http: &http.Client{
			Timeout:   20 * time.Second,
			Transport: &http.Transport{TLSClientConfig: l.ca.ClientTLSConfig()},
		},
		user: testUser,
		pass: testPassword,
	}
}

// post sends body and returns the status and response body.
func (c *rawClient) post(t testing.TB, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if c.user != "" {
		req.SetBasicAuth(c.user, c.pass)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(data)
}

// params are the masterzen request parameters the raw tests use.
func params(timeout string) *winrm.Parameters {
	return winrm.NewParameters(timeout, "en-US", 153600)
}

// postOK sends body, fails unless the answer is 200, and returns it.
func (c *rawClient) postOK(t testing.TB, body string) string {
	t.Helper()
	status, resp := c.post(t, body)
	mustOK(t, status, resp)
	return resp
}

// mustOK fails unless status is 200.
func mustOK(t testing.TB, status int, body string) {
	t.Helper()
	if status != http.StatusOK {
		t.Fatalf("status %d, body %s", status, body)
	}
}

// openShell creates a shell with a raw request and returns its id.
func (c *rawClient) openShell(t testing.TB) string {
	t.Helper()
	status, body := c.post(t, winrm.NewOpenShellRequest(c.url, params("PT60S")).String())
	mustOK(t, status, body)
	id, err := winrm.ParseOpenShellResponse(body)
	if err != nil || id == "" {
		t.Fatalf("no shell id in %s (%v)", body, err)
	}
	return id
}

// run starts a command with a raw request and returns its id.
func (c *rawClient) run(t testing.TB, shellID, command string, args ...string) string {
	t.Helper()
	status, body := c.post(t, winrm.NewExecuteCommandRequest(c.url, shellID, command, args, params("PT60S")).String())
	mustOK(t, status, body)
	id, err := winrm.ParseExecuteCommandResponse(body)
	if err != nil || id == "" {
		t.Fatalf("no command id in %s (%v)", body, err)
	}
	return id
}

func tlsDial(addr string, conf *tls.Config) (*tls.Conn, error) {
	return tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, conf)
}
