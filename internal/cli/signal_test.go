//go:build unix

package cli

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/journal"
	"github.com/rectifyhq/rectify/internal/lab"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/internal/testenv"
	"github.com/rectifyhq/rectify/operation"
)

// TestDroppedSessionFinishesTheRunningChange starts the real binary
// applying over a slow lab and, while a change on ex02 is in flight, drops
// the operator's session: SIGHUP (the terminal went away) or a closed
// stdout (ssh without a terminal, where the next write raises SIGPIPE).
// Either way rectify acts as on SIGTERM: the running change finishes and
// is journaled, no new change starts, the run is journaled as interrupted
// and the process exits 1 instead of dying of the signal.
func TestDroppedSessionFinishesTheRunningChange(t *testing.T) {
	bin := buildRectify(t)
	for _, drop := range []string{"SIGHUP", "closed stdout"} {
		t.Run(drop, func(t *testing.T) {
			f := startLab(t, lab.KB979174())
			if got := f.rectify(t, "plan", "-inventory", "inventory.hcl", "-state", "journal.db", "-out", "fix.plan", "exchange-454"); got.code != 0 {
				t.Fatalf("plan: %s", got)
			}
			if err := f.lab.SetWinRMFaults("ex02", wsman.Faults{Latency: 500 * time.Millisecond}); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, "apply", "-state", "journal.db", "-window-override", "session test", "fix.plan")
			cmd.Dir = f.dir
			cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
			for k, v := range f.env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			copied := make(chan struct{})
			stopReading := make(chan struct{})
			go func() {
				defer close(copied)
				buf := make([]byte, 4096)
				for {
					select {
					case <-stopReading:
						return
					default:
					}
					n, err := stdout.Read(buf)
					out.Write(buf[:n])
					if err != nil {
						return
					}
				}
			}()
			// The drop comes while ex02's LogLevel is being set: the host
			// has the command, rectify waits for its answer.
			waitForOp(t, f, cmd, "ex02", "registry.set")
			const inFlight = "step.kerberos_log[ex02]"
			switch drop {
			case "SIGHUP":
				if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
					t.Fatal(err)
				}
			case "closed stdout":
				close(stopReading)
				stdout.Close()
			}
			err = cmd.Wait()
			<-copied
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
					t.Fatalf("rectify died of %v instead of stopping cleanly\nstdout:\n%s\nstderr:\n%s", ws.Signal(), out.String(), stderr.String())
				}
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			// Changes were made before the drop, so the run is a failure
			// that changed something, not an error before any change.
			if code != exitFailed {
				t.Errorf("exit code %d, want %d", code, exitFailed)
			}
			run, changes := f.history(t, "1")
			if run.Outcome != operation.Interrupted {
				t.Errorf("run outcome %q, want %q\nstderr:\n%s", run.Outcome, operation.Interrupted, stderr.String())
			}
			// The change running at the drop is finished and journaled.
			for _, c := range changes {
				if c.Status == journal.InFlight {
					t.Errorf("%s is still in flight: the running change was abandoned", c.Address)
				}
				if c.Address == inFlight && c.Status != "applied" {
					t.Errorf("%s, running at the drop, ended %s (%s), want applied", c.Address, c.Status, c.Error)
				}
			}
			host, _ := f.lab.Host("ex02")
			if v, _, ok := host.RegistryValue(kerberosParameters, "LogLevel"); !ok || v.Data != uint32(1) {
				t.Errorf("ex02: LogLevel = %v (%v), want the 1 the running change set", v.Data, ok)
			}
			if len(changes) >= 7 {
				t.Errorf("%d changes journaled: the apply went on after the drop", len(changes))
			}
			if drop == "SIGHUP" && !bytes.Contains(out.Bytes(), []byte("Interrupted; the journal (run 1)")) {
				t.Errorf("stdout does not say the apply was interrupted:\n%s", out.String())
			}
		})
	}
}

// waitForOp waits until host has received op from the process cmd.
func waitForOp(t *testing.T, f *labFixture, cmd *exec.Cmd, host, op string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		for _, r := range f.lab.Received(host) {
			if r.Op == op {
				return
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("%s never received %s", host, op)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// buildRectify builds the real binary once per test.
func buildRectify(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "rectify")
	build := exec.Command(testenv.GoTool(t), "build", "-o", bin, "./cmd/rectify")
	build.Dir = root
	build.Stderr = io.Discard
	if out, err := build.Output(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
