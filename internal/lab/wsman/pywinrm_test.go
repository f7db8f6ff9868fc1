package wsman

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/internal/testenv"
)

// python is Debian's interpreter, the one python3-winrm installs for.
const python = "/usr/bin/python3"

// needPywinrm ends the test when pywinrm is not installed: a skip on a
// developer machine, a failure under CI, which installs the Debian package
// python3-winrm.
func needPywinrm(t *testing.T) {
	t.Helper()
	testenv.PythonModule(t, python, "winrm", "python3-winrm")
}

type pywinrmRequest struct {
	Endpoint         string   `json:"endpoint"`
	Transport        string   `json:"transport"`
	Username         string   `json:"username"`
	Password         string   `json:"password"`
	CA               string   `json:"ca"`
	Command          string   `json:"command"`
	Args             []string `json:"args,omitempty"`
	Stdin            string   `json:"stdin"`
	OperationTimeout int      `json:"operation_timeout,omitempty"`
	ReadTimeout      int      `json:"read_timeout,omitempty"`
	// MessageEncryption is pywinrm's setting: auto, always or never.
	MessageEncryption string `json:"message_encryption,omitempty"`
	// KerberosHostname names the host in the SPN (transport kerberos).
	KerberosHostname string `json:"kerberos_hostname,omitempty"`
	// Env is added to the script's environment (KRB5_CONFIG, KRB5CCNAME).
	Env []string `json:"-"`
}

type pywinrmResult struct {
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
	Code   int    `json:"code"`
	Error  string `json:"error"`
	// Encrypted says pywinrm sealed its messages (a run that failed does
	// not say).
	Encrypted bool `json:"encrypted"`
}

// runPywinrm runs testdata/pywinrm_run.py with req. Proxy settings are
// dropped from its environment: the lab is on loopback.
func runPywinrm(t *testing.T, req pywinrmRequest) pywinrmResult {
	t.Helper()
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "testdata/pywinrm_run.py")
	cmd.Stdin = bytes.NewReader(in)
	cmd.Env = append(withoutProxies(), req.Env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pywinrm: %v\n%s", err, stderr.String())
	}
	var res struct {
		pywinrmResult
		Message string `json:"message"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("pywinrm output %q: %v\n%s", out, err, stderr.String())
	}
	if res.Error != "" {
		t.Logf("pywinrm: %s: %s", res.Error, res.Message)
	}
	return res.pywinrmResult
}

// TestPywinrmRunsCommandWithStdin proves the endpoint speaks the protocol to
// an independent client: pywinrm, over HTTPS verified against the lab CA
// (server_cert_validation='validate', ca_trust_path), with NTLM and Basic.
func TestPywinrmRunsCommandWithStdin(t *testing.T) {
	needPywinrm(t)
	l := newLab(t, nil)
	h := l.host(t, "ex01")
	other := newLab(t, nil) // another CA: its certificate must not be trusted for this host
	tests := []struct {
		name string
		req  pywinrmRequest
		want pywinrmResult
	}{
		{
			name: "ntlm",
			req:  pywinrmRequest{Transport: "ntlm", Command: "upper", Args: []string{"5"}, Stdin: "stdin over ntlm\r\n"},
			want: pywinrmResult{Stdout: "STDIN OVER NTLM\r\n", Stderr: "read 17 bytes", Code: 5},
		},
		{
			name: "basic",
			req:  pywinrmRequest{Transport: "basic", Command: "upper 0", Stdin: "basic"},
			want: pywinrmResult{Stdout: "BASIC", Stderr: "read 5 bytes", Code: 0},
		},
		{
			name: "ntlm polls through OperationTimeout",
			req: pywinrmRequest{Transport: "ntlm", Command: "sleep", Args: []string{"2500ms"},
				OperationTimeout: 1, ReadTimeout: 5},
			want: pywinrmResult{Stdout: "slept", Code: 0},
		},
		{
			name: "ntlm, encrypted over https too",
			req:  pywinrmRequest{Transport: "ntlm", MessageEncryption: "always", Command: "upper", Args: []string{"0"}, Stdin: "tls and seal"},
			want: pywinrmResult{Stdout: "TLS AND SEAL", Stderr: "read 12 bytes", Code: 0, Encrypted: true},
		},
		{
			name: "ntlm wrong password",
			req:  pywinrmRequest{Transport: "ntlm", Password: "wrong", Command: "upper 0"},
			want: pywinrmResult{Error: "InvalidCredentialsError"},
		},
		{
			name: "certificate from another CA",
			req:  pywinrmRequest{Transport: "ntlm", CA: other.caPath, Command: "upper 0"},
			want: pywinrmResult{Error: "SSLError"},
		},
		{
			name: "basic wrong password",
			req:  pywinrmRequest{Transport: "basic", Password: "wrong", Command: "upper 0"},
			want: pywinrmResult{Error: "InvalidCredentialsError"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			req.Endpoint = h.URL()
			req.Username = testUser
			if req.Password == "" {
				req.Password = testPassword
			}
			if req.CA == "" {
				req.CA = l.caPath
			}
			got := runPywinrm(t, req)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
	// pywinrm keeps its connection alive: each successful NTLM run
	// authenticates once for its six or more SOAP requests.
	if c := h.Counts(); c.Handshakes != 3 || c.Send != 8 {
		t.Errorf("counts %+v: want 3 NTLM handshakes (one per successful NTLM run) and 8 Sends", c)
	}
}

// TestPywinrmEncryptsOverHTTP proves the server side of message encryption
// with a client we did not write: pywinrm (NTLM through ntlm-auth, its
// multipart/encrypted framing) runs commands on an HTTP host that requires
// encryption, as a default Windows server does. Without encryption, or with
// Basic, it is refused as Windows refuses it.
func TestPywinrmEncryptsOverHTTP(t *testing.T) {
	needPywinrm(t)
	l := newLab(t, func(o *Options) { o.HTTP = true; o.CA = nil })
	h := l.host(t, "ex01")
	large := strings.Repeat("0123456789abcdef", 40<<10/16) // several Send messages
	tests := []struct {
		name string
		req  pywinrmRequest
		want pywinrmResult
	}{
		{
			name: "ntlm, encryption always",
			req:  pywinrmRequest{Transport: "ntlm", MessageEncryption: "always", Command: "upper", Args: []string{"5"}, Stdin: "sealed stdin\r\n"},
			want: pywinrmResult{Stdout: "SEALED STDIN\r\n", Stderr: "read 14 bytes", Code: 5, Encrypted: true},
		},
		{
			name: "ntlm, encryption auto on http",
			req:  pywinrmRequest{Transport: "ntlm", Command: "count", Stdin: large},
			want: pywinrmResult{Stdout: fmt.Sprint(len(large)), Code: 0, Encrypted: true},
		},
		{
			name: "ntlm polls sealed through OperationTimeout",
			req: pywinrmRequest{Transport: "ntlm", MessageEncryption: "always", Command: "sleep", Args: []string{"2500ms"},
				OperationTimeout: 1, ReadTimeout: 5},
			want: pywinrmResult{Stdout: "slept", Code: 0, Encrypted: true},
		},
		{
			name: "ntlm, wrong password",
			req:  pywinrmRequest{Transport: "ntlm", MessageEncryption: "always", Password: "wrong", Command: "upper 0"},
			want: pywinrmResult{Error: "InvalidCredentialsError"},
		},
		{
			name: "ntlm, encryption never",
			req:  pywinrmRequest{Transport: "ntlm", MessageEncryption: "never", Command: "upper 0"},
			want: pywinrmResult{Error: "WinRMTransportError"},
		},
		{
			name: "basic",
			req:  pywinrmRequest{Transport: "basic", Command: "upper 0"},
			want: pywinrmResult{Error: "InvalidCredentialsError"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			req.Endpoint = h.URL()
			req.Username = testUser
			if req.Password == "" {
				req.Password = testPassword
			}
			got := runPywinrm(t, req)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
	if c := h.Counts(); c.Encrypted == 0 || c.BadlySealed != 0 || c.Unencrypted == 0 {
		t.Errorf("counts %+v: want sealed requests, none badly sealed, and the plain one refused", c)
	}
}
