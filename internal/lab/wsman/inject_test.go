package wsman

import (
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/masterzen/winrm"
)

// isTimeout reports whether err is a client-side timeout.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// TestInjectedFaults sets each transport fault on a host and checks the
// error a masterzen client sees: never a panic, never a hang (the hang and
// latency cases end at the client's own response timeout).
func TestInjectedFaults(t *testing.T) {
	tests := []struct {
		name   string
		faults Faults
		ntlm   bool
		check  func(t *testing.T, err error)
	}{
		{"unreachable", Faults{Unreachable: true}, false, func(t *testing.T, err error) {
			if !errors.Is(err, syscall.ECONNREFUSED) {
				t.Errorf("error %v, want connection refused", err)
			}
		}},
		{"always 401 basic", Faults{Unauthorized: true}, false, func(t *testing.T, err error) {
			if err == nil || !strings.Contains(err.Error(), "http response error: 401") {
				t.Errorf("error %v, want a 401", err)
			}
		}},
		{"always 401 ntlm", Faults{Unauthorized: true}, true, func(t *testing.T, err error) {
			if err == nil || !strings.Contains(err.Error(), "http response error: 401") {
				t.Errorf("error %v, want a 401", err)
			}
		}},
		{"hang", Faults{Hang: true}, true, func(t *testing.T, err error) {
			if !isTimeout(err) {
				t.Errorf("error %v, want the client's response timeout", err)
			}
		}},
		{"latency beyond the client's patience", Faults{Latency: 5 * time.Second}, false, func(t *testing.T, err error) {
			if !isTimeout(err) {
				t.Errorf("error %v, want the client's response timeout", err)
			}
		}},
		{"reset", Faults{Reset: true}, false, func(t *testing.T, err error) {
			if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("error %v, want a reset connection", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLab(t, nil)
			h := l.host(t, "ex01")
			if err := h.SetFaults(tt.faults); err != nil {
				t.Fatal(err)
			}
			client := l.masterzen(t, h, tt.ntlm, 300*time.Millisecond)
			_, err := client.CreateShell()
			tt.check(t, err)

			// Cleared, the host answers again on the same address.
			if err := h.SetFaults(Faults{}); err != nil {
				t.Fatal(err)
			}
			client = l.masterzen(t, h, tt.ntlm, 10*time.Second)
			var out, errOut strings.Builder
			if code, err := client.Run("echo back", &out, &errOut); err != nil || code != 0 || out.String() != "back\r\n" {
				t.Fatalf("after clearing: code %d stdout %q err %v", code, out.String(), err)
			}
		})
	}
}

// TestInjectedServerError checks the 500 fault: masterzen hands the fault
// body back (see TestMasterzenTransportReturnsFaultBody), so the shell id it
// parses is empty; the raw answer is a w:InternalError fault.
func TestInjectedServerError(t *testing.T) {
	l := newLab(t, nil)
	h := l.host(t, "ex01")
	if err := h.SetFaults(Faults{ServerError: true}); err != nil {
		t.Fatal(err)
	}
	status, body := l.raw(h).post(t, winrm.NewOpenShellRequest(h.URL(), params("PT60S")).String())
	if f := parseFault(t, body); status != http.StatusInternalServerError || f.Subcode != "w:InternalError" {
		t.Fatalf("status %d fault %+v, want 500 w:InternalError", status, f)
	}
	shell, err := l.masterzen(t, h, true, 10*time.Second).CreateShell()
	if err != nil {
		t.Fatalf("masterzen: %v", err)
	}
	if _, err := shell.Execute("echo"); err != nil {
		t.Fatalf("masterzen: %v", err)
	}
	if c := h.Counts(); c.Create != 0 || c.Faults != 3 {
		t.Fatalf("counts %+v: want no shell created and three faults", c)
	}
}

// TestInjectedLatency slows a host down without breaking it.
func TestInjectedLatency(t *testing.T) {
	l := newLab(t, nil)
	h := l.host(t, "ex01")
	if err := h.SetFaults(Faults{Latency: 20 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	var out, errOut strings.Builder
	code, err := l.masterzen(t, h, true, 10*time.Second).Run("echo slow", &out, &errOut)
	if err != nil || code != 0 || out.String() != "slow\r\n" {
		t.Fatalf("code %d stdout %q err %v", code, out.String(), err)
	}
}

// TestInjectedStall makes a command stop reporting completion mid-way: its
// output still arrives, then every Receive times out until the client
// terminates the command.
func TestInjectedStall(t *testing.T) {
	l := newLab(t, nil)
	h := l.host(t, "ex01")
	if err := h.SetFaults(Faults{StallCommands: true}); err != nil {
		t.Fatal(err)
	}
	client := l.masterzen(t, h, false, 10*time.Second)
	client.Parameters.Timeout = "PT0.1S"
	shell, err := client.CreateShell()
	if err != nil {
		t.Fatal(err)
	}
	cmd, err := shell.Execute("echo partial")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, len("partial\r\n"))
	if _, err := io.ReadFull(cmd.Stdout, buf); err != nil || string(buf) != "partial\r\n" {
		t.Fatalf("stdout %q err %v", buf, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for h.Counts().Faults < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("counts %+v: Receive does not time out", h.Counts())
		}
		time.Sleep(20 * time.Millisecond)
	}
	select {
	case <-waitDone(cmd):
		t.Fatal("a stalled command reported completion")
	default:
	}
	if err := cmd.Close(); err != nil {
		t.Fatalf("terminate: %v", err)
	}
	select {
	case <-waitDone(cmd):
	case <-time.After(10 * time.Second):
		t.Fatal("the client did not stop polling after terminating")
	}
	if err := shell.Close(); err != nil {
		t.Fatal(err)
	}
}

func waitDone(cmd *winrm.Command) <-chan struct{} {
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	return done
}

// TestUnreachableClosesOpenConnections checks that a host made unreachable
// drops kept-alive connections too, as a host that went down would.
func TestUnreachableClosesOpenConnections(t *testing.T) {
	l := newLab(t, nil)
	h := l.host(t, "ex01")
	c := l.raw(h)
	c.openShell(t)
	if err := h.SetFaults(Faults{Unreachable: true}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, h.URL(), strings.NewReader(winrm.NewOpenShellRequest(h.URL(), params("PT60S")).String()))
	req.SetBasicAuth(testUser, testPassword)
	resp, err := c.http.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatal("request to an unreachable host succeeded")
	}
}
