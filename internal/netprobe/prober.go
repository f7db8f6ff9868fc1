package netprobe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/rectifyhq/rectify/actions"
)

// DefaultConcurrency bounds the probes in flight when Prober.Concurrency
// is zero.
const DefaultConcurrency = 32

// DefaultTimeout bounds one probe when Probe is given no timeout.
const DefaultTimeout = 3 * time.Second

// Prober probes endpoints from this machine.
type Prober struct {
	// Concurrency bounds the probes in flight; DefaultConcurrency when 0.
	Concurrency int
	// Realm is the realm named in Kerberos requests. When empty it is the
	// endpoint host's domain upper-cased (dc01.corp.example.com gives
	// CORP.EXAMPLE.COM); a KDC answers any realm, if only with an error.
	Realm string
}

var _ actions.Prober = (*Prober)(nil)

// Probe checks every endpoint, at most Concurrency at a time, each within
// timeout, and returns one Reach per endpoint in the same order. It stops
// early when ctx ends; endpoints not probed then say so.
func (p *Prober) Probe(ctx context.Context, endpoints []actions.Endpoint, timeout time.Duration) []actions.Reach {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	n := p.Concurrency
	if n <= 0 {
		n = DefaultConcurrency
	}
	out := make([]actions.Reach, len(endpoints))
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i, ep := range endpoints {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			out[i] = actions.Reach{Endpoint: ep, Error: "not probed: " + ctx.Err().Error()}
			continue
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i] = p.probeOne(ctx, ep, timeout)
		}()
	}
	wg.Wait()
	return out
}

func (p *Prober) probeOne(ctx context.Context, ep actions.Endpoint, timeout time.Duration) actions.Reach {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	started := time.Now()
	err := p.reach(ctx, ep)
	r := actions.Reach{Endpoint: ep, Reachable: err == nil, Elapsed: time.Since(started)}
	if err != nil {
		r.Error = err.Error()
	}
	return r
}

// reach returns nil when the endpoint answered as its kind must.
func (p *Prober) reach(ctx context.Context, ep actions.Endpoint) error {
	if ep.Port <= 0 || ep.Port > 65535 {
		return fmt.Errorf("invalid port %d", ep.Port)
	}
	if ep.Host == "" {
		return errors.New("no host")
	}
	addr := net.JoinHostPort(ep.Host, strconv.Itoa(ep.Port))
	switch ep.Protocol {
	case "tcp", "":
		if ep.Kerberos {
			_, err := KerberosPing(ctx, "tcp", addr, p.realm(ep.Host))
			return err
		}
		return tcpConnect(ctx, addr)
	case "udp":
		if ep.Kerberos {
			_, err := KerberosPing(ctx, "udp", addr, p.realm(ep.Host))
			return err
		}
		return udpAnswer(ctx, addr)
	}
	return fmt.Errorf("unknown protocol %q", ep.Protocol)
}

func tcpConnect(ctx context.Context, addr string) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return describe(ctx, "tcp", err)
	}
	return c.Close()
}

// udpAnswer sends an empty datagram and waits for any answer.
func udpAnswer(ctx context.Context, addr string) error {
	var d net.Dialer
	c, err := d.DialContext(ctx, "udp", addr)
	if err != nil {
		return describe(ctx, "udp", err)
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if _, err := c.Write([]byte{0}); err != nil {
		return describe(ctx, "udp", err)
	}
	buf := make([]byte, 1)
	if _, err := c.Read(buf); err != nil {
		return describe(ctx, "udp", err)
	}
	return nil
}

// describe turns a network failure into the reason a user reads.
func describe(ctx context.Context, proto string, err error) error {
	var netErr net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED) && proto == "udp":
		return errors.New("udp: port closed (ICMP port unreachable)")
	case errors.Is(err, syscall.ECONNREFUSED):
		return errors.New("tcp: connection refused (port closed)")
	case errors.Is(ctx.Err(), context.Canceled):
		return fmt.Errorf("%s: probe canceled", proto)
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		if proto == "udp" {
			return errors.New("udp: no answer before the timeout (filtered, or nothing listening)")
		}
		return errors.New("tcp: no answer before the timeout (filtered or host down)")
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return fmt.Errorf("%s: host unreachable", proto)
	}
	return fmt.Errorf("%s: %w", proto, err)
}
