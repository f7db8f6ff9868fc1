package sambatest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lockWait bounds how long a test binary waits for another one's DC.
const lockWait = 10 * time.Minute

// machineLock serialises DCs across test binaries: Samba's ports are fixed.
type machineLock struct{ f *os.File }

func lockMachine() (*machineLock, error) {
	path := filepath.Join(os.TempDir(), "rectify-sambatest.lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(lockWait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return &machineLock{f: f}, nil
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("another test binary has held %s for %s", path, lockWait)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (l *machineLock) unlock() {
	_ = syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
}

// launch provisions and starts a DC in dir while holding the machine lock.
// It returns the DC and a function that stops it and releases the lock.
func launch(dir string) (*DC, func(), string, error) {
	lock, err := lockMachine()
	if err != nil {
		return nil, nil, "", err
	}
	if why := missing(); why != "" {
		lock.unlock()
		return nil, nil, why, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dc, err := provision(ctx, dir)
	if err == nil {
		err = dc.start(ctx)
	}
	if err != nil {
		lock.unlock()
		return nil, nil, "", err
	}
	return dc, func() { dc.Stop(); lock.unlock() }, "", nil
}

// Start provisions a new DC for this test alone and stops it when the test
// ends. It skips the test when Samba cannot run here and says why.
// Provisioning takes about five seconds; tests that can share a domain
// should use Shared.
func Start(t testing.TB) *DC {
	t.Helper()
	shared.Lock()
	busy := shared.dc != nil
	shared.Unlock()
	if busy {
		t.Fatal("sambatest.Start: this test binary's shared DC holds the ports; use Shared")
	}
	dc, stop, why, err := launch(t.TempDir())
	if why != "" {
		t.Skip("Samba AD DC unavailable: " + why)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return dc
}

var shared struct {
	sync.Mutex
	inMain bool
	dc     *DC
	stop   func()
	skip   string
	err    error
	dir    string
}

// Shared returns the one DC of this test binary, provisioning it on first
// use. The package's TestMain must run its tests through Main, which stops
// the DC when they are done. Tests sharing the DC must use names of their
// own for the objects they create.
func Shared(t testing.TB) *DC {
	t.Helper()
	shared.Lock()
	defer shared.Unlock()
	if !shared.inMain {
		t.Fatal("sambatest.Shared needs TestMain to call sambatest.Main(m)")
	}
	if shared.dc == nil && shared.skip == "" && shared.err == nil {
		dir, err := os.MkdirTemp("", "sambatest-")
		if err != nil {
			t.Fatal(err)
		}
		shared.dir = dir
		shared.dc, shared.stop, shared.skip, shared.err = launch(dir)
	}
	if shared.skip != "" {
		t.Skip("Samba AD DC unavailable: " + shared.skip)
	}
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.dc
}

// Main runs the tests of a package that uses Shared, then stops the shared
// DC and removes its files. Use it as os.Exit(sambatest.Main(m)).
func Main(m *testing.M) int {
	shared.Lock()
	shared.inMain = true
	shared.Unlock()
	code := m.Run()
	shared.Lock()
	defer shared.Unlock()
	if shared.stop != nil {
		shared.stop()
	}
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	return code
}
