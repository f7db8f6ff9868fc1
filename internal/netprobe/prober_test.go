package netprobe

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jcmturner/gokrb5/v8/iana/errorcode"
	"github.com/jcmturner/gokrb5/v8/iana/nametype"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/sambatest"
)

func TestMain(m *testing.M) { os.Exit(sambatest.Main(m)) }

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// TestSambaKDC sends real AS-REQs to Samba's KDC over UDP and TCP 88.
func TestSambaKDC(t *testing.T) {
	dc := sambatest.Shared(t)
	ctx := testContext(t)
	for _, network := range []string{"udp", "tcp"} {
		ans, err := KerberosPing(ctx, network, dc.KDCAddress(), sambatest.Realm)
		if err != nil {
			t.Fatalf("%s: %v", network, err)
		}
		want := KDCAnswer{ErrorCode: errorcode.KDC_ERR_C_PRINCIPAL_UNKNOWN, Realm: sambatest.Realm}
		if diff := cmp.Diff(want, ans); diff != "" {
			t.Errorf("%s answer (-want +got):\n%s", network, diff)
		}
	}
	p := &Prober{}
	eps := []actions.Endpoint{
		{Host: dc.IP(), Port: sambatest.PortKerberos, Protocol: "udp", Kerberos: true},
		{Host: dc.IP(), Port: sambatest.PortKerberos, Protocol: "tcp", Kerberos: true},
		{Host: dc.IP(), Port: sambatest.PortLDAPS, Protocol: "tcp"},
	}
	for _, r := range p.Probe(ctx, eps, 5*time.Second) {
		if !r.Reachable || r.Error != "" {
			t.Errorf("%+v: not reached: %s", r.Endpoint, r.Error)
		}
	}
	// The KDC's realm named explicitly gets the same answer as a wrong one:
	// both prove a KDC.
	p = &Prober{Realm: sambatest.Realm}
	if r := p.Probe(ctx, eps[:1], 5*time.Second)[0]; !r.Reachable {
		t.Errorf("with realm %s: %s", sambatest.Realm, r.Error)
	}
}

// closedPort returns a port on 127.0.0.1 that nothing listens on.
func closedPort(t *testing.T, network string) int {
	t.Helper()
	switch network {
	case "tcp":
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port
	default:
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	}
}

func TestUnreachable(t *testing.T) {
	ctx := testContext(t)
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	silentPort := silent.LocalAddr().(*net.UDPAddr).Port
	echo := udpEcho(t)
	garbage := tcpServer(t, func(c net.Conn) {
		_, _ = io.ReadFull(c, make([]byte, 4))
		_, _ = c.Write([]byte{0, 0, 0, 3, 'h', 'i', '!'})
	})
	hangup := tcpServer(t, func(c net.Conn) { _, _ = io.ReadFull(c, make([]byte, 4)) })
	tests := []struct {
		ep   actions.Endpoint
		want string
	}{
		{actions.Endpoint{Host: "127.0.0.1", Port: closedPort(t, "tcp"), Protocol: "tcp"}, "tcp: connection refused (port closed)"},
		{actions.Endpoint{Host: "127.0.0.1", Port: closedPort(t, "tcp"), Protocol: "tcp", Kerberos: true}, "tcp: connection refused (port closed)"},
		{actions.Endpoint{Host: "127.0.0.1", Port: closedPort(t, "udp"), Protocol: "udp", Kerberos: true}, "udp: port closed (ICMP port unreachable)"},
		{actions.Endpoint{Host: "127.0.0.1", Port: closedPort(t, "udp"), Protocol: "udp"}, "udp: port closed (ICMP port unreachable)"},
		{actions.Endpoint{Host: "127.0.0.1", Port: silentPort, Protocol: "udp", Kerberos: true}, "udp: no answer before the timeout (filtered, or nothing listening)"},
		{actions.Endpoint{Host: "127.0.0.1", Port: silentPort, Protocol: "udp"}, "udp: no answer before the timeout (filtered, or nothing listening)"},
		{actions.Endpoint{Host: "127.0.0.1", Port: echo, Protocol: "udp", Kerberos: true}, "udp: the answer"},
		{actions.Endpoint{Host: "127.0.0.1", Port: garbage, Protocol: "tcp", Kerberos: true}, "tcp: the answer (3 bytes) is not a Kerberos message"},
		{actions.Endpoint{Host: "127.0.0.1", Port: hangup, Protocol: "tcp", Kerberos: true}, "tcp: connection closed without a Kerberos answer"},
		{actions.Endpoint{Host: "127.0.0.1", Port: 0, Protocol: "tcp"}, "invalid port 0"},
		{actions.Endpoint{Host: "127.0.0.1", Port: 88, Protocol: "sctp"}, `unknown protocol "sctp"`},
	}
	eps := make([]actions.Endpoint, len(tests))
	for i, tt := range tests {
		eps[i] = tt.ep
	}
	got := (&Prober{}).Probe(ctx, eps, 500*time.Millisecond)
	for i, tt := range tests {
		r := got[i]
		if r.Endpoint != tt.ep {
			t.Errorf("result %d is for %+v, want %+v (order kept)", i, r.Endpoint, tt.ep)
		}
		if r.Reachable || !strings.HasPrefix(r.Error, tt.want) {
			t.Errorf("%+v: reachable=%v error=%q, want unreachable with %q", tt.ep, r.Reachable, r.Error, tt.want)
		}
	}
	// A plain UDP answer of any kind counts.
	r := (&Prober{}).Probe(ctx, []actions.Endpoint{{Host: "127.0.0.1", Port: echo, Protocol: "udp"}}, time.Second)[0]
	if !r.Reachable {
		t.Errorf("udp echo: %s", r.Error)
	}
}

// udpEcho answers every datagram with itself: a live port that is not a KDC.
func udpEcho(t *testing.T) int {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	go func() {
		buf := make([]byte, 65535)
		for {
			n, addr, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			_, _ = c.WriteTo(buf[:n], addr)
		}
	}()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// tcpServer serves each connection with handle and returns its port.
func tcpServer(t *testing.T, handle func(net.Conn)) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				handle(c)
			}()
		}
	}()
	return l.Addr().(*net.TCPAddr).Port
}

// fakeKDC answers each framed AS-REQ with PREAUTH_REQUIRED after hold,
// counting the requests it serves at once.
func fakeKDC(t *testing.T, hold time.Duration, inFlight, peak *atomic.Int32) int {
	krbErr := messages.NewKRBError(types.PrincipalName{NameType: nametype.KRB_NT_SRV_INST, NameString: []string{"krbtgt", "CORP.EXAMPLE.COM"}},
		"CORP.EXAMPLE.COM", errorcode.KDC_ERR_PREAUTH_REQUIRED, "")
	answer, err := krbErr.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return tcpServer(t, func(c net.Conn) {
		var size [4]byte
		if _, err := io.ReadFull(c, size[:]); err != nil {
			return
		}
		req := make([]byte, binary.BigEndian.Uint32(size[:]))
		if _, err := io.ReadFull(c, req); err != nil {
			return
		}
		var as messages.ASReq
		if err := as.Unmarshal(req); err != nil {
			t.Errorf("fake KDC got a request that is not an AS-REQ: %v", err)
			return
		}
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(hold)
		inFlight.Add(-1)
		_, _ = c.Write(append(binary.BigEndian.AppendUint32(nil, uint32(len(answer))), answer...))
	})
}

func TestConcurrencyBound(t *testing.T) {
	var inFlight, peak atomic.Int32
	port := fakeKDC(t, 50*time.Millisecond, &inFlight, &peak)
	var eps []actions.Endpoint
	for range 12 {
		eps = append(eps, actions.Endpoint{Host: "127.0.0.1", Port: port, Protocol: "tcp", Kerberos: true})
	}
	got := (&Prober{Concurrency: 3, Realm: "CORP.EXAMPLE.COM"}).Probe(testContext(t), eps, 5*time.Second)
	for _, r := range got {
		if !r.Reachable {
			t.Errorf("%+v: %s", r.Endpoint, r.Error)
		}
	}
	if p := peak.Load(); p > 3 || p < 2 {
		t.Errorf("peak concurrent probes = %d, want between 2 and the bound 3", p)
	}
}

func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	eps := []actions.Endpoint{{Host: "127.0.0.1", Port: closedPort(t, "tcp"), Protocol: "tcp"}}
	r := (&Prober{}).Probe(ctx, eps, time.Second)[0]
	if r.Reachable || r.Error == "" {
		t.Errorf("canceled probe: %+v", r)
	}
}

func TestRealmOf(t *testing.T) {
	for host, want := range map[string]string{
		"dc01.corp.example.com":  "CORP.EXAMPLE.COM",
		"dc01.corp.example.com.": "CORP.EXAMPLE.COM",
		"dc01":                   "PROBE.INVALID",
		"127.0.0.1":              "PROBE.INVALID",
		"::1":                    "PROBE.INVALID",
	} {
		if got := RealmOf(host); got != want {
			t.Errorf("RealmOf(%q) = %q, want %q", host, got, want)
		}
	}
}

func TestASReqDecodes(t *testing.T) {
	b, err := asReq("CORP.EXAMPLE.COM")
	if err != nil {
		t.Fatal(err)
	}
	var req messages.ASReq
	if err := req.Unmarshal(b); err != nil {
		t.Fatal(err)
	}
	got := []string{req.ReqBody.Realm, strings.Join(req.ReqBody.CName.NameString, "/"), strings.Join(req.ReqBody.SName.NameString, "/"), strconv.Itoa(len(req.ReqBody.EType))}
	want := []string{"CORP.EXAMPLE.COM", probeClient, "krbtgt/CORP.EXAMPLE.COM", "3"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AS-REQ (-want +got):\n%s", diff)
	}
}
