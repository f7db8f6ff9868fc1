package lab

import (
	"context"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/masterzen/winrm"

	"github.com/rectifyhq/rectify/internal/lab/wsman/wsmantest"
	rwinrm "github.com/rectifyhq/rectify/internal/winrm"
	"github.com/rectifyhq/rectify/inventory"
	"github.com/rectifyhq/rectify/ops"
)

// loadInventory writes the lab's inventory and loads it with the lab's
// credentials.
func loadInventory(t *testing.T, l *Lab) *inventory.Inventory {
	t.Helper()
	path := filepath.Join(t.TempDir(), "lab.hcl")
	if err := l.WriteInventory(path); err != nil {
		t.Fatal(err)
	}
	creds := l.Credentials()
	inv, diags := inventory.Load(path, func(k string) (string, bool) { v, ok := creds[k]; return v, ok })
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return inv
}

// TestDefaultLabListensLikeWindows: a lab host by default listens as a
// default Windows server does, on HTTP with AllowUnencrypted = false. The
// inventory it writes says so (HTTP, NTLM, encryption auto), rectify's
// client following it runs commands with every message sealed, and a
// client that cannot encrypt (masterzen, with NTLM or Basic) is refused.
func TestDefaultLabListensLikeWindows(t *testing.T) {
	l := startLab(t, KB979174(), func(o *Options) { o.HTTPS = false })
	inv := loadInventory(t, l)
	s, _ := inv.WinRM("ex02")
	if s.HTTPS || !s.Sealed() || s.AllowUnencrypted || s.Auth != inventory.AuthNTLM {
		t.Fatalf("inventory of a default lab: %+v", s)
	}
	ep, _ := l.WinRM("ex02")
	ip, portText, _ := net.SplitHostPort(ep.Addr())
	port, _ := strconv.Atoi(portText)
	if s.Host != ip || s.Port != port || !strings.HasPrefix(ep.URL(), "http://") {
		t.Errorf("inventory endpoint %s:%d, lab endpoint %s", s.Host, s.Port, ep.URL())
	}

	shell, err := rwinrm.New(rwinrm.Config{Host: "ex02", Address: s.Host, Port: s.Port, HTTPS: s.HTTPS, Auth: s.Auth,
		Encryption: s.Encryption, Username: s.Username, Password: s.Password, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer shell.Close()
	out, err := shell.RunScript(context.Background(), ops.ScriptRun{Script: ops.MustScript(ops.TimeRead), Args: []byte(`{}`)})
	if err != nil || !strings.Contains(string(out.Output), `"utc":`) {
		t.Fatalf("time.read over HTTP with encryption: %+v, %v", out, err)
	}
	if c := ep.Counts(); c.Encrypted == 0 || c.Encrypted != c.SOAP() || c.Unencrypted != 0 {
		t.Errorf("counts %+v: want every SOAP message sealed", c)
	}

	for _, ntlm := range []bool{false, true} {
		c := httpClient(t, l, ip, port, ntlm)
		if _, err := c.RunWithInput("hostname", &strings.Builder{}, &strings.Builder{}, strings.NewReader("")); err == nil || !strings.Contains(err.Error(), "401") {
			t.Errorf("a client that cannot encrypt (ntlm %v): %v, want a 401", ntlm, err)
		}
	}
}

// httpClient is masterzen's client over plain HTTP, with NTLM or Basic.
func httpClient(t *testing.T, l *Lab, ip string, port int, ntlm bool) *winrm.Client {
	t.Helper()
	params := winrm.NewParameters("PT60S", "en-US", 153600)
	if ntlm {
		params.TransportDecorator = func() winrm.Transporter { return &wsmantest.NTLM{User: l.Username(), Password: l.Password()} }
	}
	c, err := winrm.NewClientWithParameters(winrm.NewEndpoint(ip, port, false, false, nil, nil, nil, 20*time.Second),
		l.Username(), l.Password(), params)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestHTTPSAndPlainHTTPLabs: HTTPS is an option, as on a server with a
// certificate, and so is a host that allows unencrypted HTTP; the inventory
// follows each.
func TestHTTPSAndPlainHTTPLabs(t *testing.T) {
	t.Run("https", func(t *testing.T) {
		l := startLab(t, KB979174(), nil)
		s, _ := loadInventory(t, l).WinRM("ex01")
		if !s.HTTPS || s.Sealed() || s.CAFile == "" {
			t.Errorf("inventory of an HTTPS lab: %+v", s)
		}
		if r := run(t, client(t, l, "ex01", true), "hostname"); r.Stdout != "EX01\r\n" || r.Code != 0 {
			t.Errorf("hostname over HTTPS: %+v", r)
		}
	})
	t.Run("allow unencrypted", func(t *testing.T) {
		l := startLab(t, KB979174(), func(o *Options) { o.HTTPS, o.AllowUnencrypted = false, true })
		ep, _ := l.WinRM("ex02")
		ip, portText, _ := net.SplitHostPort(ep.Addr())
		port, _ := strconv.Atoi(portText)
		if r := run(t, httpClient(t, l, ip, port, false), "hostname"); r.Stdout != "EX02\r\n" || r.Code != 0 {
			t.Errorf("hostname over plain HTTP: %+v", r)
		}
	})
}

// TestBasicDisabled refuses Basic when the lab's WinRM service disables
// it, and still takes NTLM.
func TestBasicDisabled(t *testing.T) {
	l := startLab(t, KB979174(), func(o *Options) { o.DisableBasic = true })
	c := client(t, l, "ex01", false)
	if _, err := c.RunWithInput("hostname", &strings.Builder{}, &strings.Builder{}, strings.NewReader("")); err == nil {
		t.Error("Basic authentication succeeded on a lab that disables it")
	}
	if r := run(t, client(t, l, "ex01", true), "hostname"); r.Stdout != "EX01\r\n" {
		t.Errorf("NTLM: %+v", r)
	}
}
