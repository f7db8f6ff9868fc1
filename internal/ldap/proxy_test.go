package ldap_test

import (
	"io"
	"net"
	"sync"
	"testing"
)

// faultProxy forwards TCP connections to a server and, when armed, eats
// the next chunk a client sends: either hanging up at once (a connection
// dropped under a request) or keeping the connection open in silence (a
// server that never answers).
type faultProxy struct {
	l      net.Listener
	target string

	mu      sync.Mutex
	dialed  int
	pending []string // faults to apply, in order: "drop" or "stall"
	open    map[net.Conn]bool
	wg      sync.WaitGroup
}

func newFaultProxy(t *testing.T, target string) *faultProxy {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{l: l, target: target, open: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *faultProxy) addr() string { return p.l.Addr().String() }

// arm queues faults for the next chunks clients send.
func (p *faultProxy) arm(faults ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pending = append(p.pending, faults...)
}

// connections returns how many connections clients have opened.
func (p *faultProxy) connections() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dialed
}

func (p *faultProxy) nextFault() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.pending) == 0 {
		return ""
	}
	f := p.pending[0]
	p.pending = p.pending[1:]
	return f
}

func (p *faultProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.l.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.dialed++
		p.open[c], p.open[s] = true, true
		p.mu.Unlock()
		p.wg.Add(2)
		go func() { defer p.wg.Done(); _, _ = io.Copy(c, s); c.Close() }()
		go func() { defer p.wg.Done(); p.forward(c, s) }()
	}
}

func (p *faultProxy) forward(c, s net.Conn) {
	defer func() { c.Close(); s.Close() }()
	buf := make([]byte, 64<<10)
	for {
		n, err := c.Read(buf)
		if err != nil {
			return
		}
		switch p.nextFault() {
		case "drop":
			return
		case "stall":
			_, _ = io.Copy(io.Discard, c)
			return
		}
		if _, err := s.Write(buf[:n]); err != nil {
			return
		}
	}
}

func (p *faultProxy) close() {
	p.l.Close()
	p.mu.Lock()
	for c := range p.open {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}
