package wsman

import (
	"context"
	"encoding/xml"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/masterzen/winrm"
)

// faultXML is what the tests read from a SOAP fault.
type faultXML struct {
	Subcode string
	Reason  string
	Code    string
}

func parseFault(t *testing.T, body string) faultXML {
	t.Helper()
	var env struct {
		Subcode string `xml:"Body>Fault>Code>Subcode>Value"`
		Reason  string `xml:"Body>Fault>Reason>Text"`
		Detail  struct {
			WSManFault struct {
				Code string `xml:"Code,attr"`
			} `xml:"WSManFault"`
		} `xml:"Body>Fault>Detail"`
	}
	if err := xml.Unmarshal([]byte(body), &env); err != nil {
		t.Fatalf("fault %q: %v", body, err)
	}
	return faultXML{Subcode: env.Subcode, Reason: env.Reason, Code: env.Detail.WSManFault.Code}
}

// TestProtocolFaults sends bad requests and checks the SOAP faults, shaped
// as WinRM shapes them.
func TestProtocolFaults(t *testing.T) {
	l := newLab(t, nil)
	h := l.host(t, "ex01")
	c := l.raw(h)
	url := h.URL()
	shellID := c.openShell(t)
	const bogus = "9E2A5C0B-1D6F-4B8E-A7C3-5F0D2E4B6A81"
	unsupported := strings.Replace(winrm.NewOpenShellRequest(url, params("PT60S")).String(),
		"http://schemas.xmlsoap.org/ws/2004/09/transfer/Create", "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get", 1)
	otherResource := strings.Replace(winrm.NewOpenShellRequest(url, params("PT60S")).String(),
		"windows/shell/cmd", "windows/shell/other", 1)
	huge := winrm.NewSendInputRequest(url, shellID, bogus, make([]byte, 600<<10), false, params("PT60S")).String()
	badTimeout := strings.Replace(winrm.NewOpenShellRequest(url, params("PT60S")).String(), "PT60S", "sixty", 1)

	tests := []struct {
		name        string
		body        string
		wantSubcode string
		wantCode    string
		wantReason  string
	}{
		{"unknown shell", winrm.NewExecuteCommandRequest(url, bogus, "echo", nil, params("PT60S")).String(),
			"w:InvalidSelectors", "2150858843",
			"The request for the Windows Remote Shell with ShellId " + bogus + " failed because the shell was not found on the server."},
		{"delete unknown shell", winrm.NewDeleteShellRequest(url, bogus, params("PT60S")).String(),
			"w:InvalidSelectors", "2150858843", "failed because the shell was not found on the server"},
		{"unknown command", winrm.NewGetOutputRequest(url, shellID, bogus, "stdout stderr", params("PT60S")).String(),
			"w:InvalidParameter", "2150858810", "command identifier that does not exist"},
		{"not xml", "<s:Envelope><unclosed", "w:SchemaValidationError", "2150858819", "the XML is invalid"},
		{"not an envelope", `<Envelope xmlns="urn:other"><Header/><Body/></Envelope>`,
			"w:SchemaValidationError", "2150858819", "the XML is invalid"},
		{"no action", `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Header/><s:Body/></s:Envelope>`,
			"a:MessageInformationHeaderRequired", "2150858769", "does not have all the expected SOAP headers"},
		{"unsupported action", unsupported, "a:ActionNotSupported", "2150858771", "does not support the action"},
		{"unknown resource", otherResource, "w:DestinationUnreachable", "2150858752", "was not found in the WS-Management catalog"},
		{"oversized envelope", huge, "w:EncodingLimit", "2150858805", "maximum envelope size of 500 KB"},
		{"bad timeout", badTimeout, "w:InvalidHeader", "2150858881", "timeout header in the request is invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := c.post(t, tt.body)
			if status != http.StatusInternalServerError {
				t.Fatalf("status %d, want 500; body %s", status, body)
			}
			f := parseFault(t, body)
			if f.Subcode != tt.wantSubcode || f.Code != tt.wantCode || !strings.Contains(f.Reason, tt.wantReason) {
				t.Errorf("fault %+v, want subcode %s code %s reason containing %q", f, tt.wantSubcode, tt.wantCode, tt.wantReason)
			}
		})
	}
}

// TestMasterzenTransportReturnsFaultBody documents what the masterzen
// client sees of a fault: its Post hands back the SOAP fault as the answer
// with a nil error (it means to turn non-200 answers into errors, but
// assigns them in a deferred function to unnamed results), so a client
// built on it must look for s:Fault in every answer.
func TestMasterzenTransportReturnsFaultBody(t *testing.T) {
	l := newLab(t, nil)
	h := l.host(t, "ex01")
	client := l.masterzen(t, h, true, 10*time.Second)
	ip, port, _ := net.SplitHostPort(h.Addr())
	portNumber, _ := strconv.Atoi(port)
	transport := &winrm.ClientNTLM{}
	if err := transport.Transport(winrm.NewEndpoint(ip, portNumber, true, false, l.ca.PEM(), nil, nil, 10*time.Second)); err != nil {
		t.Fatal(err)
	}
	const bogus = "0B5D6C1A-2E3F-4A5B-8C7D-9E0F1A2B3C4D"
	body, err := transport.Post(client, winrm.NewExecuteCommandRequest(h.URL(), bogus, "echo", nil, params("PT60S")))
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	if f := parseFault(t, body); f.Code != "2150858843" ||
		!strings.Contains(f.Reason, "ShellId "+bogus+" failed because the shell was not found on the server") {
		t.Fatalf("fault %+v, want the shell-not-found fault", f)
	}
}

func TestShellAndCommandIDsAsWindows(t *testing.T) {
	l := newLab(t, nil)
	h := l.host(t, "ex01")
	c := l.raw(h)
	req := winrm.NewOpenShellRequest(h.URL(), params("PT60S"))
	body := c.postOK(t, req.String())
	var created struct {
		Action    string `xml:"Header>Action"`
		RelatesTo string `xml:"Header>RelatesTo"`
		Selector  string `xml:"Body>ResourceCreated>ReferenceParameters>SelectorSet>Selector"`
		ShellID   string `xml:"Body>Shell>ShellId"`
		Address   string `xml:"Body>ResourceCreated>Address"`
	}
	if err := xml.Unmarshal([]byte(body), &created); err != nil {
		t.Fatal(err)
	}
	if !isUpperGUID(created.ShellID) || created.Selector != created.ShellID {
		t.Errorf("shell id %q, selector %q: want the same upper-case GUID", created.ShellID, created.Selector)
	}
	if created.Action != "http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse" || created.Address != h.URL() {
		t.Errorf("action %q address %q", created.Action, created.Address)
	}
	if !strings.HasPrefix(created.RelatesTo, "uuid:") || !strings.Contains(req.String(), created.RelatesTo) {
		t.Errorf("RelatesTo %q does not name the request's MessageID", created.RelatesTo)
	}
	if id := c.run(t, created.ShellID, "echo", "a"); !isUpperGUID(id) {
		t.Errorf("command id %q is not an upper-case GUID", id)
	}
}

func isUpperGUID(s string) bool {
	if len(s) != 36 || strings.ToUpper(s) != s {
		return false
	}
	for i, r := range s {
		dash := i == 8 || i == 13 || i == 18 || i == 23
		if dash != (r == '-') || (!dash && !strings.ContainsRune("0123456789ABCDEF", r)) {
			return false
		}
	}
	return true
}

// TestReceiveTimesOutThenCompletes checks OperationTimeout on a long command:
// w:TimedOut with code 2150858793 (which both clients treat as "poll again"),
// then, after ctrl_c, CommandState Done with the exit code, and after
// terminate, no command at all.
func TestReceiveTimesOutThenCompletes(t *testing.T) {
	l := newLab(t, nil)
	h := l.host(t, "ex01")
	c := l.raw(h)
	url := h.URL()
	shellID := c.openShell(t)
	commandID := c.run(t, shellID, "sleep", "1h")

	status, body := c.post(t, winrm.NewGetOutputRequest(url, shellID, commandID, "stdout stderr", params("PT0.1S")).String())
	f := parseFault(t, body)
	if status != http.StatusInternalServerError || f.Subcode != "w:TimedOut" || f.Code != "2150858793" ||
		!strings.Contains(body, "OperationTimeout") {
		t.Fatalf("status %d fault %+v, want w:TimedOut 2150858793", status, f)
	}

	ctrlC := strings.Replace(winrm.NewSignalRequest(url, shellID, commandID, params("PT60S")).String(),
		"signal/terminate", "signal/ctrl_c", 1)
	c.postOK(t, ctrlC)
	body = c.postOK(t, winrm.NewGetOutputRequest(url, shellID, commandID, "stdout stderr", params("PT10S")).String())
	var out, errOut strings.Builder
	done, code, err := winrm.ParseSlurpOutputErrResponse(body, &out, &errOut)
	if err != nil || !done || code != 130 {
		t.Fatalf("after ctrl_c: done %v code %d err %v; body %s", done, code, err, body)
	}

	c.postOK(t, winrm.NewSignalRequest(url, shellID, commandID, params("PT60S")).String())
	_, body = c.post(t, winrm.NewGetOutputRequest(url, shellID, commandID, "stdout stderr", params("PT1S")).String())
	if f := parseFault(t, body); f.Subcode != "w:InvalidParameter" {
		t.Fatalf("receive after terminate: fault %+v, want the unknown-command fault", f)
	}
	c.postOK(t, winrm.NewDeleteShellRequest(url, shellID, params("PT60S")).String())
	if n := h.ShellCount(); n != 0 {
		t.Fatalf("%d shells after Delete", n)
	}
}

func TestUnauthorizedAnswers(t *testing.T) {
	tests := []struct {
		name         string
		edit         func(*Options)
		user, pass   string
		wantStatus   int
		wantSchemes  []string
		wantAccepted bool
	}{
		{name: "anonymous", wantStatus: 401, wantSchemes: []string{"Negotiate", `Basic realm="WSMAN"`}},
		{name: "wrong password", user: testUser, pass: "nope", wantStatus: 401,
			wantSchemes: []string{"Negotiate", `Basic realm="WSMAN"`}},
		{name: "wrong user", user: `LAB\mallory`, pass: testPassword, wantStatus: 401,
			wantSchemes: []string{"Negotiate", `Basic realm="WSMAN"`}},
		{name: "basic disabled", edit: func(o *Options) { o.DisableBasic = true }, user: testUser, pass: testPassword,
			wantStatus: 401, wantSchemes: []string{"Negotiate"}},
		{name: "upn accepted", user: "rectify@lab.example.test", pass: testPassword, wantStatus: 200},
		{name: "bare name accepted", user: "RECTIFY", pass: testPassword, wantStatus: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLab(t, tt.edit)
			h := l.host(t, "ex01")
			c := l.raw(h)
			c.user, c.pass = tt.user, tt.pass
			req, _ := http.NewRequest(http.MethodPost, h.URL(), strings.NewReader(winrm.NewOpenShellRequest(h.URL(), params("PT60S")).String()))
			req.Header.Set("Content-Type", contentType)
			if tt.user != "" {
				req.SetBasicAuth(tt.user, tt.pass)
			}
			resp, err := c.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if diff := cmp.Diff(tt.wantSchemes, resp.Header.Values("WWW-Authenticate")); diff != "" {
				t.Errorf("WWW-Authenticate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHTTPRouting(t *testing.T) {
	l := newLab(t, nil)
	h := l.host(t, "ex01")
	c := l.raw(h)
	for _, tt := range []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/wsman", http.StatusMethodNotAllowed},
		{http.MethodPost, "/other", http.StatusNotFound},
	} {
		req, _ := http.NewRequest(tt.method, strings.TrimSuffix(h.URL(), "/wsman")+tt.path, nil)
		req.SetBasicAuth(testUser, testPassword)
		resp, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s %s: status %d, want %d", tt.method, tt.path, resp.StatusCode, tt.want)
		}
	}
}

func TestShellLimits(t *testing.T) {
	l := newLab(t, func(o *Options) { o.MaxShellsPerHost = 2 })
	h := l.host(t, "ex01")
	c := l.raw(h)
	first := c.openShell(t)
	c.openShell(t)
	status, body := c.post(t, winrm.NewOpenShellRequest(h.URL(), params("PT60S")).String())
	if f := parseFault(t, body); status != 500 || f.Subcode != "w:QuotaLimit" || f.Code != "2150859173" ||
		!strings.Contains(f.Reason, "maximum number of 2 concurrent shells") {
		t.Fatalf("third shell: status %d fault %+v, want the shell quota fault", status, f)
	}
	c.postOK(t, winrm.NewDeleteShellRequest(h.URL(), first, params("PT60S")).String())
	c.openShell(t)
}

// TestIdleShellsExpire moves the server's clock past the idle timeout: a
// shell left alone is gone, and so is the command running in it.
func TestIdleShellsExpire(t *testing.T) {
	canceled := make(chan struct{})
	runner := RunnerFunc(func(ctx context.Context, host string, cmd Command, stdin io.Reader, stdout, stderr io.Writer) int {
		<-ctx.Done()
		close(canceled)
		return 130
	})
	l := newLab(t, func(o *Options) { o.IdleTimeout = time.Hour; o.Runner = runner })
	var mu sync.Mutex
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	l.srv.clock = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	h := l.host(t, "ex01")
	c := l.raw(h)
	shellID := c.openShell(t)
	c.run(t, shellID, "wait")
	advance(59 * time.Minute)
	c.openShell(t) // a request to the host: the first shell is not idle long enough yet
	if n := h.ShellCount(); n != 2 {
		t.Fatalf("%d shells before the idle timeout, want 2", n)
	}
	advance(2 * time.Minute)
	status, body := c.post(t, winrm.NewExecuteCommandRequest(h.URL(), shellID, "echo", nil, params("PT60S")).String())
	if f := parseFault(t, body); status != 500 || f.Code != "2150858843" {
		t.Fatalf("command on an expired shell: status %d fault %+v", status, f)
	}
	select {
	case <-canceled:
	case <-time.After(10 * time.Second):
		t.Fatal("the expired shell's command was not canceled")
	}
}
