package sambatest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
)

// Samba's ports on the DC's address: the standard ones, because Kerberos
// clients and tools expect 88 and the directory's clients 389 and 636.
var (
	tcpPorts = []int{PortKerberos, PortKpasswd, PortLDAP, PortLDAPS, PortGC, PortGCS}
	udpPorts = []int{PortKerberos, PortKpasswd, PortLDAP}
)

// addressAttempts bounds the random loopback addresses tried before giving
// up; with 155×254² candidates a busy machine needs a handful at most.
const addressAttempts = 64

// addressLease is a loopback address reserved for one DC: the flock on its
// lock file keeps every other test process (which all pick addresses the
// same way) off it until release.
type addressLease struct {
	ip string
	f  *os.File
}

// leaseAddress picks a loopback address in 127.0.0.0/8 on which every one
// of Samba's ports is free, and reserves it. Linux answers on the whole
// 127.0.0.0/8 through lo, so two test binaries, or two CI runs on one
// machine, each get a DC of their own on the standard ports and never meet.
func leaseAddress() (*addressLease, error) {
	dir := filepath.Join(os.TempDir(), "rectify-sambatest")
	if err := os.MkdirAll(dir, 0o1777); err != nil {
		return nil, fmt.Errorf("reserve a loopback address: %w", err)
	}
	var last error
	for range addressAttempts {
		// Below 127.100 is left alone: 127.0.0.1 is every local service's,
		// 127.0.1.1 is a Debian host's own name, and the lab's hosts count
		// up from 127.1.0.11.
		ip := fmt.Sprintf("127.%d.%d.%d", 100+rand.IntN(155), 1+rand.IntN(254), 1+rand.IntN(254))
		lease, err := tryLease(dir, ip)
		if err == nil {
			return lease, nil
		}
		last = err
	}
	return nil, fmt.Errorf("no free loopback address for a DC after %d attempts; the last: %w", addressAttempts, last)
}

// errLeased means another process holds the address.
var errLeased = errors.New("leased by another test process")

func tryLease(dir, ip string) (*addressLease, error) {
	f, err := os.OpenFile(filepath.Join(dir, ip+".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("reserve %s: %w", ip, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errLeased) {
			return nil, fmt.Errorf("%s: %w", ip, errLeased)
		}
		return nil, fmt.Errorf("reserve %s: %w", ip, err)
	}
	lease := &addressLease{ip: ip, f: f}
	if err := portsFree(ip); err != nil {
		lease.release()
		return nil, err
	}
	return lease, nil
}

// portsFree checks that nothing listens on Samba's ports at ip.
func portsFree(ip string) error {
	for _, p := range tcpPorts {
		l, err := net.Listen("tcp", net.JoinHostPort(ip, fmt.Sprint(p)))
		if err != nil {
			return fmt.Errorf("TCP port %d is taken on %s: %w", p, ip, err)
		}
		l.Close()
	}
	for _, p := range udpPorts {
		c, err := net.ListenPacket("udp", net.JoinHostPort(ip, fmt.Sprint(p)))
		if err != nil {
			return fmt.Errorf("UDP port %d is taken on %s: %w", p, ip, err)
		}
		c.Close()
	}
	return nil
}

// release gives the address back. The lock file stays: removing it could
// let two processes lock different files of the same name.
func (l *addressLease) release() {
	unlockFile(l.f)
	l.f.Close()
}
