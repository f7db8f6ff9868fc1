package wsman

import (
	"strings"
	"testing"
	"time"

	"github.com/masterzen/winrm"
)

// TestLargeStreams moves more data than one envelope holds both ways:
// stdin over several Send requests, stdout over several Receive requests.
func TestLargeStreams(t *testing.T) {
	l := newLab(t, nil)
	h := l.host(t, "ex01")
	client := l.masterzen(t, h, true, 30*time.Second)

	const size = 400 << 10
	var out, errOut strings.Builder
	code, err := client.RunWithInput("count", &out, &errOut, strings.NewReader(strings.Repeat("x", size)))
	if err != nil || code != 0 || out.String() != "409600" {
		t.Fatalf("count: code %d stdout %q stderr %q err %v", code, out.String(), errOut.String(), err)
	}
	if c := h.Counts(); c.Send < 3 {
		t.Errorf("counts %+v: want stdin split over several Sends", c)
	}

	out.Reset()
	code, err = client.Run("repeat 1000000", &out, &errOut)
	if err != nil || code != 0 {
		t.Fatalf("repeat: code %d err %v", code, err)
	}
	if got := out.String(); len(got) != 1000000 || got[:20] != "01234567890123456789" || got[len(got)-10:] != "0123456789" {
		t.Fatalf("repeat: %d bytes of output", len(got))
	}
	if c := h.Counts(); c.Receive < 2+7 {
		t.Errorf("counts %+v: want a megabyte of output over several Receives", c)
	}
}

// TestRunnerPanicIsAFailedCommand checks that a crashing runner ends the
// command with exit code 1 and a message, and the server keeps serving.
func TestRunnerPanicIsAFailedCommand(t *testing.T) {
	l := newLab(t, nil)
	h := l.host(t, "ex01")
	client := l.masterzen(t, h, false, 10*time.Second)
	var out, errOut strings.Builder
	code, err := client.Run("panic", &out, &errOut)
	if err != nil || code != 1 || !strings.Contains(errOut.String(), "lab runner failed: boom") {
		t.Fatalf("code %d stderr %q err %v", code, errOut.String(), err)
	}
	out.Reset()
	if code, err := client.Run("echo still here", &out, &errOut); err != nil || code != 0 || out.String() != "still here\r\n" {
		t.Fatalf("after the panic: code %d stdout %q err %v", code, out.String(), err)
	}
}

// TestReceiveDesiredStreams asks for standard output only: standard error
// is not sent, and the command is done once standard output is drained.
func TestReceiveDesiredStreams(t *testing.T) {
	l := newLab(t, nil)
	h := l.host(t, "ex01")
	c := l.raw(h)
	url := h.URL()
	shellID := c.openShell(t)
	commandID := c.run(t, shellID, "upper", "6")
	c.postOK(t, winrm.NewSendInputRequest(url, shellID, commandID, []byte("abc"), true, params("PT60S")).String())
	var out, errOut strings.Builder
	for done, polls := false, 0; !done; polls++ {
		if polls > 10 {
			t.Fatal("not done after 10 Receives")
		}
		body := c.postOK(t, winrm.NewGetOutputRequest(url, shellID, commandID, "stdout", params("PT10S")).String())
		var code int
		var err error
		done, code, err = winrm.ParseSlurpOutputErrResponse(body, &out, &errOut)
		if err != nil || (done && code != 6) {
			t.Fatalf("receive: done %v code %d err %v", done, code, err)
		}
	}
	if out.String() != "ABC" || errOut.String() != "" {
		t.Fatalf("stdout %q stderr %q, want stdout only", out.String(), errOut.String())
	}
}
