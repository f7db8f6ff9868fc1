package lab

import (
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/masterzen/winrm"

	"github.com/rectifyhq/rectify/inventory"
)

// TestPlainHTTPLab serves WinRM over HTTP (port 5985 semantics, as with
// AllowUnencrypted) when asked, and the inventory says so.
func TestPlainHTTPLab(t *testing.T) {
	l := startLab(t, KB979174(), func(o *Options) { o.HTTP = true })
	path := filepath.Join(t.TempDir(), "lab.hcl")
	if err := l.WriteInventory(path); err != nil {
		t.Fatal(err)
	}
	creds := l.Credentials()
	inv, diags := inventory.Load(path, func(k string) (string, bool) { v, ok := creds[k]; return v, ok })
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	s, _ := inv.WinRM("ex02")
	if s.HTTPS {
		t.Fatalf("inventory of an HTTP lab says HTTPS: %+v", s)
	}
	ep, _ := l.WinRM("ex02")
	ip, portText, _ := net.SplitHostPort(ep.Addr())
	port, _ := strconv.Atoi(portText)
	if s.Host != ip || s.Port != port {
		t.Errorf("inventory endpoint %s:%d, lab endpoint %s", s.Host, s.Port, ep.Addr())
	}
	c, err := winrm.NewClientWithParameters(winrm.NewEndpoint(ip, port, false, false, nil, nil, nil, 20*time.Second),
		l.Username(), l.Password(), winrm.NewParameters("PT60S", "en-US", 153600))
	if err != nil {
		t.Fatal(err)
	}
	if r := run(t, c, "hostname"); r.Stdout != "EX02\r\n" || r.Code != 0 {
		t.Errorf("hostname over HTTP: %+v", r)
	}
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
