package lab

import (
	"context"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/lab/ldapd"
	"github.com/rectifyhq/rectify/ops"
)

// TestCloseLeavesNothingRunning starts a lab, uses it, closes it, and
// checks that its listeners are gone and its goroutines have ended.
func TestCloseLeavesNothingRunning(t *testing.T) {
	baseline := runtime.NumGoroutine()
	l, err := Start(context.Background(), KB979174(), Options{HTTPS: true, WinRMPort: AnyPort, LDAPPorts: LDAPPorts{AnyPort, AnyPort, AnyPort, AnyPort}, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var reading ops.TimeReading
	runOp(t, client(t, l, "dc01", false), ops.TimeRead, ops.TimeReadArgs{}, &reading)
	ep, _ := l.WinRM("dc01")
	addrs := []string{ep.Addr(), l.LDAPAddr("dc01", ldapd.LDAPS), l.LDAPAddr("dc02", ldapd.GC)}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
	for _, a := range addrs {
		if c, err := net.DialTimeout("tcp", a, time.Second); err == nil {
			c.Close()
			t.Errorf("%s still accepts connections after Close", a)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > baseline && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > baseline {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Close, %d before Start:\n%s", n, baseline, buf[:runtime.Stack(buf, true)])
	}
}
