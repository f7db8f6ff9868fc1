package winrm

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rectifyhq/rectify/internal/secret"
)

// forgetfulServer speaks the NTLM handshake's message flow (it does not
// verify responses: the lab's server does) and forgets a connection's
// authentication every forgetEvery requests, as a server does whose
// authentication cache was flushed.
type forgetfulServer struct {
	forgetEvery int
	mu          sync.Mutex
	conns       map[net.Conn]*connState
	negotiates  atomic.Int64
	requests    atomic.Int64
	anonymous   atomic.Int64
}

type connState struct {
	challenged, authed bool
	served             int
}

// testChallenge is a minimal NTLM CHALLENGE message: Unicode, NTLM,
// extended session security, an empty target info list.
func testChallenge() []byte {
	const header = 48
	b := make([]byte, header+4)
	copy(b, "NTLMSSP\x00")
	binary.LittleEndian.PutUint32(b[8:], 2)
	binary.LittleEndian.PutUint32(b[12:], 0) // empty target name
	binary.LittleEndian.PutUint32(b[16:], header)
	binary.LittleEndian.PutUint32(b[20:], 0x1|0x200|0x80000|0x800000)
	copy(b[24:32], "chalnge!")
	binary.LittleEndian.PutUint16(b[40:], 4) // target info: MsvAvEOL
	binary.LittleEndian.PutUint16(b[42:], 4)
	binary.LittleEndian.PutUint32(b[44:], header)
	return b
}

func (s *forgetfulServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	conn := r.Context().Value(connCtxKey{}).(net.Conn)
	s.mu.Lock()
	st := s.conns[conn]
	if st == nil {
		st = &connState{}
		s.conns[conn] = st
	}
	defer s.mu.Unlock()
	_, _ = io.Copy(io.Discard, r.Body)
	auth := r.Header.Get("Authorization")
	token, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(auth, "Negotiate "))
	switch {
	case auth == "" && st.authed && (s.forgetEvery == 0 || st.served < s.forgetEvery):
		s.anonymous.Add(1)
	case len(token) > 12 && token[8] == 1:
		s.negotiates.Add(1)
		st.challenged, st.authed = true, false
		w.Header().Set("WWW-Authenticate", "Negotiate "+base64.StdEncoding.EncodeToString(testChallenge()))
		w.WriteHeader(http.StatusUnauthorized)
		return
	case len(token) > 12 && token[8] == 3 && st.challenged:
		st.challenged, st.authed, st.served = false, true, 0
	default:
		st.authed = false
		w.Header().Set("WWW-Authenticate", "Negotiate")
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	st.served++
	w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
	_, _ = io.WriteString(w, "<ok/>")
}

type connCtxKey struct{}

// TestNTLMReauthenticatesOnTheSameConnection: when the server forgets an
// authenticated connection (401 to a request without credentials), the
// pool handshakes again on that connection and the request succeeds; it
// never opens another connection for it.
func TestNTLMReauthenticatesOnTheSameConnection(t *testing.T) {
	srv := &forgetfulServer{forgetEvery: 3, conns: map[net.Conn]*connState{}}
	ts := httptest.NewUnstartedServer(srv)
	ts.Config.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		return context.WithValue(ctx, connCtxKey{}, c)
	}
	ts.StartTLS()
	defer ts.Close()
	host, portText, _ := net.SplitHostPort(ts.Listener.Addr().String())
	port, _ := strconv.Atoi(portText)
	cfg, err := Config{Address: host, Port: port, HTTPS: true, RootCAs: poolOf(ts), ServerName: "example.com", Username: `LAB\rectify`, Password: secret.New("pw")}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	p, err := newConnPool(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.shutdown()
	const posts = 7
	var statuses []int
	for i := 0; i < posts; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		rep, _, err := p.post(ctx, []byte("<request/>"), nil)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		statuses = append(statuses, rep.status)
	}
	want := make([]int, posts)
	for i := range want {
		want[i] = http.StatusOK
	}
	if diff := cmp.Diff(want, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	// Requests 1, 4 and 7 need a handshake (3 served per authentication).
	if d, n := p.dials.Load(), srv.negotiates.Load(); d != 1 || n != 3 || p.handshakes.Load() != 3 {
		t.Errorf("%d dials, %d negotiates, %d handshakes: want 1, 3, 3", d, n, p.handshakes.Load())
	}
	if a := srv.anonymous.Load(); a != 4 {
		t.Errorf("%d requests rode the authenticated connection, want 4", a)
	}
}

func poolOf(ts *httptest.Server) *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	return pool
}
