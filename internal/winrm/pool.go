package winrm

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rectifyhq/rectify/actions"
)

// DefaultMaxShells bounds the hosts a Pool keeps shells open to.
const DefaultMaxShells = 64

// Pool hands out one Shell per host for one run. Shells are made on first
// use (and their remote shell created then, so connect, TLS and
// authentication failures show at once). At most MaxShells hosts keep open
// shells and connections: beyond that, the least recently used idle Shell
// releases its remote shell and connections (it stays usable and opens
// again if used). A release runs in the background, at most MaxShells at
// once: no command waits for it, so deleting one host's shell overlaps
// with the commands on others. Close waits for them and closes every
// Shell. A Pool is safe for concurrent use.
type Pool struct {
	configFor func(host string) (Config, error)
	max       int

	mu      sync.Mutex
	entries map[string]*poolEntry
	// opened holds the entries that are open, so that eviction looks at
	// the few open hosts, not at every host of the run.
	opened map[*poolEntry]struct{}
	closed bool
	tick   uint64

	// releasing counts the releases under way; releaseSlots bounds them.
	releasing    sync.WaitGroup
	releaseSlots chan struct{}
}

type poolEntry struct {
	ready    chan struct{} // closed once shell or err is set
	shell    *Shell
	err      error
	lastUsed uint64
	open     bool // holds a remote shell or connections
}

// NewPool returns a Pool that builds each host's Config with configFor.
// maxShells <= 0 means DefaultMaxShells.
func NewPool(configFor func(host string) (Config, error), maxShells int) *Pool {
	if maxShells <= 0 {
		maxShells = DefaultMaxShells
	}
	return &Pool{configFor: configFor, max: maxShells, entries: map[string]*poolEntry{}, opened: map[*poolEntry]struct{}{}, releaseSlots: make(chan struct{}, maxShells)}
}

// Shell returns the host's Shell, dialling it on first use. Concurrent
// callers for the same host share one dial; a failed dial is not cached.
func (p *Pool) Shell(ctx context.Context, host string) (*Shell, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, &actions.TransportError{Kind: actions.KindCanceled, Class: actions.Permanent, Host: host, Op: "connect", Err: errors.New("connection pool is closed")}
	}
	p.tick++
	e, ok := p.entries[host]
	if ok {
		e.lastUsed = p.tick
		p.mu.Unlock()
		select {
		case <-e.ready:
		case <-ctx.Done():
			return nil, transportError(host, "connect", ctx.Err())
		}
		if e.err != nil {
			return nil, e.err
		}
		p.mu.Lock()
		reopen := !e.open
		e.open = true
		if e.shell != nil {
			p.opened[e] = struct{}{}
		}
		p.mu.Unlock()
		if reopen {
			p.evict(e)
		}
		return e.shell, nil
	}
	e = &poolEntry{ready: make(chan struct{}), lastUsed: p.tick, open: true}
	p.entries[host] = e
	p.mu.Unlock()

	shell, err := p.dial(ctx, host)
	// evict reads other entries' shells under p.mu: publish under it too.
	p.mu.Lock()
	e.shell, e.err = shell, err
	if e.err != nil {
		delete(p.entries, host)
	} else if e.open {
		p.opened[e] = struct{}{}
	}
	p.mu.Unlock()
	close(e.ready)
	if e.err != nil {
		return nil, e.err
	}
	p.evict(e)
	return e.shell, nil
}

func (p *Pool) dial(ctx context.Context, host string) (*Shell, error) {
	cfg, err := p.configFor(host)
	if err != nil {
		return nil, &actions.TransportError{Kind: actions.KindProtocol, Class: actions.Permanent, Host: host, Op: "connect", Err: fmt.Errorf("winrm settings: %w", err)}
	}
	if cfg.Host == "" {
		cfg.Host = host
	}
	return Dial(ctx, cfg)
}

// evict releases the least recently used idle shells while more than max
// hosts hold open ones; keep is never released.
func (p *Pool) evict(keep *poolEntry) {
	for {
		p.mu.Lock()
		open := 0
		var lru *poolEntry
		for e := range p.opened {
			if !e.open || e.shell == nil {
				continue
			}
			open++
			if e != keep && e.shell.idle() && (lru == nil || e.lastUsed < lru.lastUsed) {
				lru = e
			}
		}
		if open <= p.max || lru == nil {
			p.mu.Unlock()
			return
		}
		lru.open = false
		delete(p.opened, lru)
		p.mu.Unlock()
		p.release(lru.shell)
	}
}

// release releases an evicted Shell in the background, once one of the
// pool's release slots is free. A Pool being closed releases it at once:
// Close deletes every shell itself.
func (p *Pool) release(s *Shell) {
	p.releaseSlots <- struct{}{}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		<-p.releaseSlots
		_ = s.release()
		return
	}
	p.releasing.Add(1)
	p.mu.Unlock()
	go func() {
		defer p.releasing.Done()
		defer func() { <-p.releaseSlots }()
		_ = s.release()
	}()
}

// Close closes every Shell: their remote shells are deleted and their
// connections closed. It returns the errors of the deletions that failed.
func (p *Pool) Close() error {
	p.mu.Lock()
	p.closed = true
	entries := p.entries
	p.entries = map[string]*poolEntry{}
	p.opened = map[*poolEntry]struct{}{}
	p.mu.Unlock()
	// No release starts after closed is set: wait for those under way.
	p.releasing.Wait()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, e := range entries {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case <-e.ready:
			case <-time.After(closeTimeout):
				return
			}
			if e.shell == nil {
				return
			}
			if err := e.shell.Close(); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
