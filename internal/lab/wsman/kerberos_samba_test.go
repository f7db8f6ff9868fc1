package wsman

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jcmturner/gokrb5/v8/keytab"

	"github.com/rectifyhq/rectify/internal/sambatest"
	"github.com/rectifyhq/rectify/internal/testenv"
)

// needGSSAPI skips the test when python3-gssapi is not installed (a
// developer machine); under CI, which installs it, it fails instead.
func needGSSAPI(t *testing.T) {
	t.Helper()
	needPywinrm(t)
	testenv.PythonModule(t, python, "gssapi", "python3-gssapi")
}

type gssapiRequest struct {
	Endpoint          string   `json:"endpoint"`
	Hostname          string   `json:"hostname"`
	Delegate          bool     `json:"delegate"`
	Command           string   `json:"command"`
	Args              []string `json:"args,omitempty"`
	Stdin             string   `json:"stdin"`
	MessageEncryption string   `json:"message_encryption,omitempty"`
}

type gssapiResult struct {
	Stdout    string `json:"stdout"`
	Stderr    string `json:"stderr"`
	Code      int    `json:"code"`
	Encrypted bool   `json:"encrypted"`
	Delegated bool   `json:"delegated"`
	Error     string `json:"error"`
}

// TestKerberosWithSambaAndMIT proves the lab's Kerberos acceptor with a KDC
// and a client we did not write: Samba's AD DC issues the tickets, the
// host verifies them with the keytab samba-tool exports for its SPN, and
// pywinrm runs commands through MIT's GSSAPI (python3-gssapi), its messages
// sealed over HTTP. The host reports a Kerberos logon, delegated exactly
// when the client forwarded its TGT.
func TestKerberosWithSambaAndMIT(t *testing.T) {
	needGSSAPI(t)
	dc := sambatest.Start(t)
	kt, err := keytab.Load(dc.ServiceAccount(t, "EX01"))
	if err != nil {
		t.Fatal(err)
	}
	krb5Conf := dc.Krb5Conf(t)
	ccache := dc.Kinit(t, krb5Conf)

	logons := make(chan Logon, 8)
	runner := testRunner()
	recording := RunnerFunc(func(ctx context.Context, host string, cmd Command, stdin io.Reader, stdout, stderr io.Writer) int {
		logons <- cmd.Logon
		return runner.Run(ctx, host, cmd, stdin, stdout, stderr)
	})
	l := newLab(t, func(o *Options) {
		o.HTTP, o.CA, o.Keytab, o.Runner = true, nil, kt, recording
		o.Username = sambatest.Domain + `\Administrator`
	})
	h := l.host(t, "ex01")

	run := func(t *testing.T, req gssapiRequest) gssapiResult {
		t.Helper()
		req.Endpoint, req.Hostname = h.URL(), sambatest.ComputerFQDN("EX01")
		in, _ := json.Marshal(req)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, python, "testdata/gssapi_winrm.py")
		cmd.Stdin = bytes.NewReader(in)
		cmd.Env = append(withoutProxies(), "KRB5_CONFIG="+krb5Conf, "KRB5CCNAME="+ccache)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("gssapi_winrm.py: %v\n%s", err, stderr.String())
		}
		var res gssapiResult
		if err := json.Unmarshal(out, &res); err != nil {
			t.Fatalf("output %q: %v\n%s", out, err, stderr.String())
		}
		return res
	}
	tests := []struct {
		name      string
		req       gssapiRequest
		want      gssapiResult
		delegated bool
	}{
		{"sealed", gssapiRequest{Command: "upper", Args: []string{"3"}, Stdin: "kerberos sealed"},
			gssapiResult{Stdout: "KERBEROS SEALED", Stderr: "read 15 bytes", Code: 3, Encrypted: true}, false},
		{"sealed, TGT forwarded", gssapiRequest{Command: "upper", Args: []string{"0"}, Stdin: "delegated", Delegate: true},
			gssapiResult{Stdout: "DELEGATED", Stderr: "read 9 bytes", Code: 0, Encrypted: true, Delegated: true}, true},
		{"unencrypted refused", gssapiRequest{Command: "upper 0", MessageEncryption: "never"},
			gssapiResult{Error: "WinRMTransportError"}, false},
	}
	// pywinrm's own Kerberos transport (requests-kerberos on pykerberos,
	// which cannot seal WinRM messages in Debian's version) over HTTPS:
	// its bare Kerberos token, mutual authentication required.
	t.Run("requests-kerberos over https", func(t *testing.T) {
		testenv.PythonModule(t, python, "requests_kerberos", "python3-requests-kerberos")
		tls := newLab(t, func(o *Options) {
			o.Keytab, o.Runner, o.Username = kt, recording, sambatest.Domain+`\Administrator`
		})
		th := tls.host(t, "ex01")
		got := runPywinrm(t, pywinrmRequest{Endpoint: th.URL(), Transport: "kerberos", CA: tls.caPath, MessageEncryption: "never",
			KerberosHostname: sambatest.ComputerFQDN("EX01"), Command: "upper", Args: []string{"0"}, Stdin: "over tls",
			Env: []string{"KRB5_CONFIG=" + krb5Conf, "KRB5CCNAME=" + ccache}})
		if diff := cmp.Diff(pywinrmResult{Stdout: "OVER TLS", Stderr: "read 8 bytes", Code: 0}, got); diff != "" {
			t.Fatalf("result (-want +got):\n%s", diff)
		}
		if logon := <-logons; logon.Mechanism != MechanismKerberos || logon.Delegated {
			t.Errorf("logon %+v", logon)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(t, tt.req)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("result (-want +got):\n%s", diff)
			}
			if tt.want.Error != "" {
				return
			}
			logon := <-logons
			want := Logon{User: "Administrator@" + sambatest.Realm, Mechanism: MechanismKerberos, Delegated: tt.delegated}
			if diff := cmp.Diff(want, logon); diff != "" {
				t.Errorf("logon (-want +got):\n%s", diff)
			}
		})
	}
}

// withoutProxies is the environment without proxy settings: the lab is on
// loopback.
func withoutProxies() []string {
	var env []string
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); !strings.HasSuffix(strings.ToLower(name), "_proxy") {
			env = append(env, kv)
		}
	}
	return env
}
