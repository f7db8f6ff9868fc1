package sambatest

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/testenv"
)

// launch provisions a DC in dir on a loopback address of its own and
// starts it. It returns the DC and a function that stops it and gives the
// address back, or why Samba cannot run here, or the error that stopped it.
func launch(dir string, options map[string]string) (*DC, func(), string, error) {
	if why := missing(); why != "" {
		return nil, nil, why, nil
	}
	lease, err := leaseAddress()
	if err != nil {
		return nil, nil, "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dc, err := provision(ctx, dir, lease.ip, options)
	if err == nil {
		err = dc.start(ctx)
	}
	if err == nil {
		if err = dc.registerDCSPNs(); err != nil {
			dc.Stop()
		}
	}
	if err != nil {
		lease.release()
		return nil, nil, "", err
	}
	return dc, func() { dc.Stop(); lease.release() }, "", nil
}

// Start provisions a new DC for this test alone and stops it when the test
// ends. When Samba cannot run here the test is skipped with the reason,
// or, under CI, fails (see package testenv).
// Provisioning takes about five seconds; tests that can share a domain
// should use Shared.
func Start(t testing.TB) *DC {
	t.Helper()
	return StartWith(t, nil)
}

// StartWith is Start with smb.conf's global parameters in options set,
// such as a setting a test needs the DC to have as Active Directory has
// it.
func StartWith(t testing.TB, options map[string]string) *DC {
	t.Helper()
	dc, stop, why, err := launch(t.TempDir(), options)
	testenv.Require(t, "a Samba AD DC", why)
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
		shared.dc, shared.stop, shared.skip, shared.err = launch(dir, nil)
	}
	testenv.Require(t, "a Samba AD DC", shared.skip)
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
