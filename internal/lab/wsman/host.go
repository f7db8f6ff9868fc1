package wsman

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Host is one simulated Windows host's WinRM endpoint. Its methods are safe
// for concurrent use.
type Host struct {
	name     string
	srv      *Server
	addr     string
	url      string
	tls      *tls.Config
	identity ntlmIdentity
	counters counters

	mu       sync.Mutex
	faults   Faults
	httpSrv  *http.Server  // nil while unreachable or closed
	served   chan struct{} // closed when httpSrv's Serve has returned
	shells   map[string]*shell
	closed   bool
	shutdown chan struct{} // closed when the host closes
}

func newHost(s *Server, spec HostSpec, ln net.Listener) (*Host, error) {
	addr := ln.Addr().String()
	h := &Host{
		name:     spec.Name,
		srv:      s,
		addr:     addr,
		shells:   make(map[string]*shell),
		shutdown: make(chan struct{}),
		identity: ntlmIdentity{
			NetBIOSDomain:   strings.ToUpper(s.opts.Domain),
			NetBIOSComputer: strings.ToUpper(firstLabel(spec.Name)),
			DNSDomain:       s.opts.DNSDomain,
			DNSComputer:     firstLabel(spec.Name) + "." + s.opts.DNSDomain,
		},
	}
	scheme := "http"
	if !s.opts.HTTP {
		scheme = "https"
		ip, _, _ := net.SplitHostPort(addr)
		names := append([]string{spec.Name}, spec.DNSNames...)
		names = append(names, ip)
		conf, err := s.opts.CA.ServerTLSConfig(names...)
		if err != nil {
			return nil, err
		}
		h.tls = conf
	}
	h.url = scheme + "://" + addr + "/wsman"
	h.serve(ln)
	return h, nil
}

func firstLabel(name string) string {
	label, _, _ := strings.Cut(name, ".")
	return label
}

// Name returns the host's name.
func (h *Host) Name() string { return h.name }

// Addr returns the address the host listens on, as host:port.
func (h *Host) Addr() string { return h.addr }

// URL returns the host's WinRM endpoint, as https://addr/wsman (or http).
func (h *Host) URL() string { return h.url }

// Counts returns a snapshot of the host's counters.
func (h *Host) Counts() Counts { return h.counters.snapshot() }

// Faults returns the faults the host currently shows.
func (h *Host) Faults() Faults {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.faults
}

// SetFaults replaces the faults the host shows. Making it unreachable
// closes its listener and connections; clearing that listens again on the
// same address. Should another process have bound that address meanwhile,
// SetFaults returns the error and the host stays unreachable.
func (h *Host) SetFaults(f Faults) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return errors.New("wsman: host closed")
	}
	was := h.faults.Unreachable
	h.faults = f
	switch {
	case f.Unreachable && !was:
		h.stopLocked()
	case !f.Unreachable && was:
		ln, err := net.Listen("tcp", h.addr)
		if err != nil {
			h.faults.Unreachable = true
			return err
		}
		h.serveLocked(ln)
	}
	return nil
}

func (h *Host) serve(ln net.Listener) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.serveLocked(ln)
}

// serveLocked starts an HTTP server on ln; h.mu must be held.
func (h *Host) serveLocked(ln net.Listener) {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 30 * time.Second,
		MaxHeaderBytes:    64 << 10,
		IdleTimeout:       2 * time.Minute,
		// HTTP/1.1 only: NTLM authenticates a connection.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, connKey{}, &connAuth{})
		},
		ConnState: func(c net.Conn, state http.ConnState) {
			if state == http.StateNew {
				h.counters.connections.Add(1)
			}
		},
		ErrorLog: discardLog,
	}
	if h.tls != nil {
		ln = tls.NewListener(ln, h.tls)
	}
	served := make(chan struct{})
	h.httpSrv, h.served = srv, served
	go func() {
		defer close(served)
		_ = srv.Serve(ln)
	}()
}

// stopLocked closes the listener and every connection; h.mu must be held.
// It waits for the accept loop to end: until then the socket is still open
// in the kernel and would accept, then reset, new connections.
func (h *Host) stopLocked() error {
	if h.httpSrv == nil {
		return nil
	}
	err := h.httpSrv.Close()
	<-h.served
	h.httpSrv, h.served = nil, nil
	return err
}

// close stops the host for good.
func (h *Host) close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	h.closed = true
	close(h.shutdown)
	err := h.stopLocked()
	for id, sh := range h.shells {
		sh.close()
		delete(h.shells, id)
	}
	return err
}

// ShellCount returns the number of open shells.
func (h *Host) ShellCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.shells)
}
