package kerberos

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/iana/etypeID"

	"github.com/rectifyhq/rectify/internal/testenv"
)

// python is Debian's interpreter, which has python3-gssapi.
const python = "/usr/bin/python3"

// mitAcceptor is MIT's GSSAPI as the server side of SASL's GSSAPI
// mechanism, driven line by line (testdata/gssapi_sasl.py).
type mitAcceptor struct {
	t   *testing.T
	in  io.WriteCloser
	out *bufio.Scanner
}

// startMIT starts an acceptor with the service key of kt and, when
// bindings is not nil, the channel bindings it expects.
func startMIT(t *testing.T, etype int32, bindings []byte) (*mitAcceptor, Ticket) {
	t.Helper()
	testenv.PythonModule(t, python, "gssapi", "python3-gssapi")
	kt := serviceKeytab(t, etype)
	dir := t.TempDir()
	raw, err := kt.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	ktPath := filepath.Join(dir, "service.keytab")
	if err := os.WriteFile(ktPath, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	confPath := filepath.Join(dir, "krb5.conf")
	if err := os.WriteFile(confPath, []byte("[libdefaults]\n default_realm = "+realm+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "testdata/gssapi_sasl.py")
	cmd.Env = append(os.Environ(), "KRB5_KTNAME=FILE:"+ktPath, "KRB5_CONFIG="+confPath, "KRB5RCACHETYPE=none")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		in.Close()
		if err := cmd.Wait(); err != nil {
			t.Logf("gssapi_sasl.py: %v\n%s", err, stderr.String())
		}
	})
	m := &mitAcceptor{t: t, in: in, out: bufio.NewScanner(out)}
	var b64 *string
	if bindings != nil {
		s := base64.StdEncoding.EncodeToString(bindings)
		b64 = &s
	}
	m.send(map[string]any{"bindings": b64})
	return m, ticketFor(t, kt, etype)
}

func (m *mitAcceptor) send(req map[string]any) {
	m.t.Helper()
	b, _ := json.Marshal(req)
	if _, err := m.in.Write(append(b, '\n')); err != nil {
		m.t.Fatal(err)
	}
}

// call sends req and returns MIT's answer: its fields, or its error.
func (m *mitAcceptor) call(req map[string]any) (map[string]any, string) {
	m.t.Helper()
	m.send(req)
	if !m.out.Scan() {
		m.t.Fatalf("gssapi_sasl.py ended without an answer: %v", m.out.Err())
	}
	var ans map[string]any
	if err := json.Unmarshal(m.out.Bytes(), &ans); err != nil {
		m.t.Fatalf("answer %q: %v", m.out.Text(), err)
	}
	if e, ok := ans["error"].(string); ok {
		return nil, e
	}
	return ans, ""
}

func (m *mitAcceptor) bytes(ans map[string]any, field string) []byte {
	m.t.Helper()
	s, _ := ans[field].(string)
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		m.t.Fatalf("%s: %v", field, err)
	}
	return b
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// testCert is a self-signed ECDSA P-256 certificate signed with SHA-256.
func testCert(t *testing.T, name string) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{name}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// TestSASLAgainstMIT runs SASL's GSSAPI mechanism with MIT's GSSAPI as
// the server: MIT accepts rectify's AP-REQ with the channel bindings of the
// TLS certificate it expects, rectify verifies MIT's AP-REP and signed
// offer, MIT reads rectify's choice, and for each layer a message goes
// each way protected as chosen (signed, or sealed too).
func TestSASLAgainstMIT(t *testing.T) {
	cert := testCert(t, "dc01.lab.example.test")
	bindings, err := TLSServerEndPoint(cert)
	if err != nil {
		t.Fatal(err)
	}
	for _, layer := range []byte{LayerNone, LayerIntegrity, LayerConfidentiality} {
		for _, etype := range []int32{etypeID.AES256_CTS_HMAC_SHA1_96, etypeID.AES128_CTS_HMAC_SHA1_96} {
			t.Run(layerNames(layer)+"/"+etypeName(etype), func(t *testing.T) {
				mit, tkt := startMIT(t, etype, bindings)
				token, init, err := InitiateSASL(tkt, bindings)
				if err != nil {
					t.Fatal(err)
				}
				ans, merr := mit.call(map[string]any{"step": b64(token)})
				if merr != "" {
					t.Fatalf("MIT refused the AP-REQ: %s", merr)
				}
				sasl, err := init.CompleteSASL(mit.bytes(ans, "token"))
				if err != nil {
					t.Fatalf("MIT's AP-REP: %v", err)
				}
				ans, merr = mit.call(map[string]any{"offer": 7, "max": 65536})
				if merr != "" {
					t.Fatal(merr)
				}
				offer, err := sasl.ReadOffer(mit.bytes(ans, "token"))
				if err != nil || offer != (Offer{Layers: 7, MaxSize: 65536}) {
					t.Fatalf("MIT's offer: %+v, %v", offer, err)
				}
				choice, err := sasl.Choose(offer, layer, 1<<20, "")
				if err != nil {
					t.Fatal(err)
				}
				ans, merr = mit.call(map[string]any{"choice": b64(choice)})
				if merr != "" {
					t.Fatalf("MIT refused the choice: %s", merr)
				}
				want := []byte{layer, 0, 0, 0}
				if layer != LayerNone {
					want = []byte{layer, 0x10, 0, 0}
				}
				if got := mit.bytes(ans, "payload"); string(got) != string(want) || ans["encrypted"] != false {
					t.Errorf("MIT read the choice %x (encrypted %v), want %x", got, ans["encrypted"], want)
				}
				l, err := sasl.Layer()
				if err != nil {
					t.Fatal(err)
				}
				if layer == LayerNone {
					if l != nil {
						t.Errorf("no layer chosen, but Layer returned %T", l)
					}
					return
				}
				sealed := layer == LayerConfidentiality
				for i, msg := range []string{"a search request", "", "a modify request"} {
					tok, err := l.Wrap([]byte(msg))
					if err != nil {
						t.Fatal(err)
					}
					if sealed && len(msg) > 4 && strings.Contains(string(tok), msg[:4]) {
						t.Errorf("message %d travels readable", i)
					}
					ans, merr := mit.call(map[string]any{"unwrap": b64(tok)})
					if merr != "" {
						t.Fatalf("message %d: MIT refused it: %s", i, merr)
					}
					if got := mit.bytes(ans, "payload"); string(got) != msg || ans["encrypted"] != sealed {
						t.Errorf("message %d: MIT read %q (encrypted %v)", i, got, ans["encrypted"])
					}
					ans, merr = mit.call(map[string]any{"wrap": b64([]byte("answer " + msg)), "encrypt": sealed})
					if merr != "" {
						t.Fatal(merr)
					}
					got, err := l.Unwrap(mit.bytes(ans, "token"))
					if err != nil || string(got) != "answer "+msg {
						t.Fatalf("message %d: rectify read MIT's answer as %q, %v", i, got, err)
					}
				}
			})
		}
	}
}

// TestSASLChannelBindingsMismatch: MIT refuses an AP-REQ bound to another
// certificate than the one it serves with, which shows that the bindings'
// hash is the one MIT computes (it accepts the matching one above).
func TestSASLChannelBindingsMismatch(t *testing.T) {
	served, err := TLSServerEndPoint(testCert(t, "dc01.lab.example.test"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := TLSServerEndPoint(testCert(t, "impostor.example.test"))
	if err != nil {
		t.Fatal(err)
	}
	mit, tkt := startMIT(t, etypeID.AES256_CTS_HMAC_SHA1_96, served)
	token, _, err := InitiateSASL(tkt, other)
	if err != nil {
		t.Fatal(err)
	}
	if _, merr := mit.call(map[string]any{"step": b64(token)}); !strings.Contains(merr, "binding") {
		t.Errorf("MIT accepted an AP-REQ bound to another certificate (answer error %q)", merr)
	}
}

// TestSASLRefuses: an offer that does not verify, comes from the client's
// own side, or is sealed is refused, and so is a layer the server does
// not offer.
func TestSASLRefuses(t *testing.T) {
	mit, tkt := startMIT(t, etypeID.AES256_CTS_HMAC_SHA1_96, nil)
	token, init, err := InitiateSASL(tkt, nil)
	if err != nil {
		t.Fatal(err)
	}
	ans, merr := mit.call(map[string]any{"step": b64(token)})
	if merr != "" {
		t.Fatal(merr)
	}
	sasl, err := init.CompleteSASL(mit.bytes(ans, "token"))
	if err != nil {
		t.Fatal(err)
	}
	ans, _ = mit.call(map[string]any{"offer": int(LayerNone | LayerIntegrity), "max": 4096})
	offer := mit.bytes(ans, "token")
	tampered := append([]byte(nil), offer...)
	tampered[len(tampered)-1] ^= 1
	ans, _ = mit.call(map[string]any{"wrap": b64([]byte{7, 0, 16, 0}), "encrypt": true})
	sealedOffer := mit.bytes(ans, "token")
	for name, tok := range map[string][]byte{"tampered": tampered, "sealed": sealedOffer, "short": offer[:10]} {
		probe := *sasl
		if _, err := probe.ReadOffer(tok); err == nil {
			t.Errorf("%s offer accepted", name)
		}
	}
	o, err := sasl.ReadOffer(offer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sasl.Choose(o, LayerConfidentiality, 4096, ""); err == nil || !strings.Contains(err.Error(), "does not offer") {
		t.Errorf("a layer the server does not offer was chosen: %v", err)
	}
}

func etypeName(e int32) string {
	if e == etypeID.AES256_CTS_HMAC_SHA1_96 {
		return "aes256"
	}
	return "aes128"
}
