package ldapd

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/internal/lab/directory"
)

// rawConn is a bare TCP connection to the plain LDAP port.
func rawConn(t *testing.T, f *fixture) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", f.srv.Addr(LDAP))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return c
}

// readAll reads until the server closes the connection and returns the
// decoded messages it sent.
func readUntilClosed(t *testing.T, c net.Conn) []*ber.Packet {
	t.Helper()
	r := bufio.NewReader(c)
	var out []*ber.Packet
	for {
		p, err := ber.ReadPacket(r)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatal("the server kept the connection open")
			}
			return out
		}
		out = append(out, p)
	}
}

func envelopeBytes(id int64, op *ber.Packet) []byte {
	return envelope(id, op).Bytes()
}

func TestGarbageClosesTheConnection(t *testing.T) {
	f := startServer(t, nil, nil)
	tests := []struct {
		name   string
		input  []byte
		notice bool // a notice of disconnection precedes the close
	}{
		{"http", []byte("GET / HTTP/1.1\r\nHost: dc01\r\n\r\n"), true},
		{"tls hello on the plain port", []byte{0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5}, true},
		{"huge length", []byte{0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02}, true},
		{"indefinite length", []byte{0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00}, true},
		{"truncated", []byte{0x30, 0x10, 0x02, 0x01}, false},
		{"sequence without an op", []byte{0x30, 0x03, 0x02, 0x01, 0x01}, true},
		{"unknown operation", envelopeBytes(1, ber.Encode(ber.ClassApplication, ber.TypeConstructed, 30, nil, "")), true},
		{"inner length overruns", []byte{0x30, 0x05, 0x02, 0x09, 0x01, 0x60, 0x00}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := rawConn(t, f)
			if _, err := c.Write(tt.input); err != nil {
				t.Fatal(err)
			}
			if cw, ok := c.(*net.TCPConn); ok && !tt.notice {
				_ = cw.CloseWrite()
			}
			got := readUntilClosed(t, c)
			if !tt.notice {
				if len(got) != 0 {
					t.Errorf("%d messages, want none", len(got))
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("%d messages, want the notice of disconnection", len(got))
			}
			res := got[0].Children[1]
			if id := got[0].Children[0].Value; id != int64(0) || res.Tag != opExtendedResponse || res.Children[0].Value != int64(2) {
				t.Errorf("notice = id %v tag %d code %v", id, res.Tag, res.Children[0].Value)
			}
		})
	}
	// The server is still serving.
	c := f.bound(t, LDAPS)
	if _, err := c.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", nil, nil)); err != nil {
		t.Fatal(err)
	}
	if got := f.srv.Stats().Rejected; got < 6 {
		t.Errorf("Rejected = %d, want at least 6", got)
	}
}

func TestMalformedRequestGetsProtocolError(t *testing.T) {
	f := startServer(t, nil, nil)
	c := rawConn(t, f)
	// A search with a filter choice that does not exist, then a valid
	// root DSE read on the same connection.
	bad := ber.Encode(ber.ClassApplication, ber.TypeConstructed, opSearchRequest, nil, "")
	bad.AppendChild(newOctets(""))
	for _, v := range []int64{0, 0, 0, 0} {
		bad.AppendChild(newEnum(v))
	}
	bad.AppendChild(ber.NewBoolean(ber.ClassUniversal, ber.TypePrimitive, ber.TagBoolean, false, ""))
	bad.AppendChild(ber.NewString(ber.ClassContext, ber.TypePrimitive, 12, "x", ""))
	bad.AppendChild(ber.NewSequence(""))
	if _, err := c.Write(envelopeBytes(5, bad)); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	p, err := ber.ReadPacket(r)
	if err != nil {
		t.Fatal(err)
	}
	got := []any{p.Children[0].Value, int(p.Children[1].Tag), p.Children[1].Children[0].Value}
	if diff := cmp.Diff([]any{int64(5), int(opSearchDone), int64(2)}, got); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
	// The connection still works.
	unbind := ber.Encode(ber.ClassApplication, ber.TypePrimitive, opUnbindRequest, nil, "")
	if _, err := c.Write(envelopeBytes(6, unbind)); err != nil {
		t.Fatal(err)
	}
	if _, err := ber.ReadPacket(r); !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("after unbind: %v, want the connection closed", err)
	}
}

func TestUnknownExtendedOperation(t *testing.T) {
	f := startServer(t, nil, nil)
	c := f.dial(t, LDAPS)
	_, err := c.Extended(ldap.NewExtendedRequest("1.2.3.4.5", nil))
	if ldapCode(err) != 2 {
		t.Errorf("unknown extended op: %v, want protocolError", err)
	}
}

func TestCriticalControl(t *testing.T) {
	f := startServer(t, nil, nil)
	c := f.bound(t, LDAPS)
	req := ldap.NewSearchRequest(testRoot, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", nil,
		[]ldap.Control{ldap.NewControlString("1.2.840.113556.1.4.417", true, "")})
	if _, err := c.Search(req); ldapCode(err) != 12 {
		t.Errorf("unsupported critical control: %v, want unavailableCriticalExtension", err)
	}
	req.Controls = []ldap.Control{ldap.NewControlString("1.2.840.113556.1.4.417", false, "")}
	if _, err := c.Search(req); err != nil {
		t.Errorf("unsupported non-critical control: %v", err)
	}
}

func TestRestart(t *testing.T) {
	f := startServer(t, nil, nil)
	old := f.bound(t, LDAPS)
	addr := f.srv.Addr(LDAPS)

	done := make(chan error, 1)
	go func() { done <- f.srv.Restart(context.Background(), 2*time.Second) }()

	// While down, connections are refused.
	refused := false
	for range 100 {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			refused = true
			break
		}
		_ = c.Close()
		time.Sleep(10 * time.Millisecond)
	}
	if !refused {
		t.Error("connections were accepted during the restart")
	}
	// The old connection dropped with the listeners.
	old.SetTimeout(5 * time.Second)
	if _, err := old.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", nil, nil)); err == nil {
		t.Error("a connection survived the restart")
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if f.srv.Addr(LDAPS) != addr {
		t.Errorf("address moved from %s to %s", addr, f.srv.Addr(LDAPS))
	}
	c := f.bound(t, LDAPS)
	if _, err := c.Search(ldap.NewSearchRequest(testRoot, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", nil, nil)); err != nil {
		t.Errorf("search after restart: %v", err)
	}
}

func TestLatency(t *testing.T) {
	f := startServer(t, nil, nil)
	c := f.bound(t, LDAPS)
	f.srv.SetLatency(5 * time.Second)
	c.SetTimeout(100 * time.Millisecond)
	req := ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", nil, nil)
	if _, err := c.Search(req); err == nil {
		t.Error("a search answered within a timeout shorter than the latency")
	}
	f.srv.SetLatency(0)
	d := f.dial(t, LDAPS)
	d.SetTimeout(5 * time.Second)
	if _, err := d.Search(req); err != nil {
		t.Errorf("search without latency: %v", err)
	}
}

func TestCloseWithIdleClients(t *testing.T) {
	f := startServer(t, nil, nil)
	f.dial(t, LDAP)
	f.bound(t, LDAPS)
	if err := f.srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := net.DialTimeout("tcp", f.srv.Addr(LDAP), time.Second); err == nil {
		t.Error("accepting after Close")
	}
}

func TestNewRefusesTLSWithoutConfig(t *testing.T) {
	dir, err := directory.New(testRoot)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(dir, Options{LDAPSAddr: "127.0.0.1:0"}); err == nil {
		t.Error("LDAPS without a certificate accepted")
	}
	if _, err := New(dir, Options{}); err == nil {
		t.Error("a server without listeners accepted")
	}
}

// TestDecodeFilterAgreesWithText checks that a filter sent over the wire and
// the same filter parsed from text are the same value.
func TestDecodeFilterAgreesWithText(t *testing.T) {
	for _, text := range []string{
		"(&(objectCategory=computer)(|(sAMAccountName=EX01$)(dNSHostName=ex01.corp.example.com)))",
		"(servicePrincipalName=*)",
		"(servicePrincipalName=SMTP*/ex01*com)",
		"(!(userAccountControl:1.2.840.113556.1.4.803:=2))",
		"(uSNChanged>=100)",
		"(uSNChanged<=100)",
		"(cn~=ex01)",
		`(cn=a\28b\29\2a\5c)`,
		"(cn:dn:2.5.13.5:=x)",
	} {
		t.Run(text, func(t *testing.T) {
			p, err := ldap.CompileFilter(text)
			if err != nil {
				t.Fatal(err)
			}
			wire, err := DecodeFilter(p)
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := directory.ParseFilter(text)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(parsed, wire); diff != "" {
				t.Errorf("wire and text filters differ (-text +wire):\n%s", diff)
			}
		})
	}
}

func TestIdleConnectionClosed(t *testing.T) {
	f := startServer(t, nil, func(o *Options) { o.IdleTimeout = 50 * time.Millisecond })
	c := rawConn(t, f)
	if got := readUntilClosed(t, c); len(got) != 0 {
		t.Errorf("%d messages before the idle close, want none", len(got))
	}
}

// TestRestartUnderLoad restarts the server while clients page through
// results; run with -race. Clients see errors, the server never fails inside
// and serves again afterwards.
func TestRestartUnderLoad(t *testing.T) {
	f := startServer(t, nil, nil)
	addWorkstations(t, f.dir, 300)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				c, err := ldap.DialURL("ldaps://"+f.srv.Addr(LDAPS), ldap.DialWithTLSConfig(f.pki.client.Clone()))
				if err != nil {
					time.Sleep(5 * time.Millisecond)
					continue
				}
				c.SetTimeout(5 * time.Second)
				if c.Bind(testUser+"@corp.example.com", testPassword) == nil {
					_, _ = c.SearchWithPaging(ldap.NewSearchRequest(testRoot, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
						"(servicePrincipalName=*)", []string{"servicePrincipalName"}, nil), 50)
				}
				_ = c.Close()
			}
		})
	}
	for range 3 {
		if err := f.srv.Restart(context.Background(), 20*time.Millisecond); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if n := f.srv.Stats().Panics; n != 0 {
		t.Errorf("Panics = %d", n)
	}
	c := f.bound(t, LDAPS)
	res, err := c.SearchWithPaging(ldap.NewSearchRequest(testRoot, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		"(servicePrincipalName=*)", []string{"1.1"}, nil), 100)
	if err != nil || len(res.Entries) != 300 {
		t.Errorf("after restarts: %d entries, %v", len(res.Entries), err)
	}
}
