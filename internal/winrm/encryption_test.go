package winrm

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
	"github.com/rectifyhq/rectify/internal/ntlm"
	"github.com/rectifyhq/rectify/internal/sealing"
	"github.com/rectifyhq/rectify/ops"
)

// TestEncryptedHTTP runs commands on a host that listens on HTTP and
// requires encryption, as a default Windows server does: every request
// after the handshake travels sealed, answers are unsealed, nothing goes
// plain, large input spans many sealed Send messages, and Receive polls
// through OperationTimeout keep the sequence numbers in step.
func TestEncryptedHTTP(t *testing.T) {
	l := newTestLab(t, func(o *wsman.Options) { o.HTTP = true; o.CA = nil })
	h, cfg := l.host(t, "ex01")
	cfg.OperationTimeout = time.Second
	s := newShell(t, cfg)
	ctx := context.Background()
	if _, err := s.RunScript(ctx, runOf(t, ops.TimeRead, ops.TimeReadArgs{})); err != nil {
		t.Fatal(err)
	}
	script := testScript("test.size", 300<<10)
	res, err := s.RunScript(ctx, ops.ScriptRun{Script: script, Args: []byte(`{}`)})
	if err != nil || !strings.Contains(string(res.Output), `"script_bytes":`) {
		t.Fatalf("large script: %s, %v", res.Output, err)
	}
	if _, err := s.RunScript(ctx, runOf(t, "test.sleep", map[string]float64{"seconds": 2.5})); err != nil {
		t.Fatalf("a command outlasting the OperationTimeout: %v", err)
	}
	c := h.Counts()
	if c.Unencrypted != 0 || c.BadlySealed != 0 || c.Encrypted == 0 || c.Encrypted != c.SOAP() {
		t.Errorf("counts %+v: want every SOAP request sealed", c)
	}
	if c.Receive < 4 {
		t.Errorf("%d Receives: want polls through the OperationTimeout", c.Receive)
	}
	if st := s.Stats(); st.Handshakes != c.Handshakes || st.Handshakes != c.Connections {
		t.Errorf("stats %+v, counts %+v: want one handshake per connection", st, c)
	}
}

// TestEncryptionSettings: encryption "always" seals over HTTPS as well;
// "never" against a host that requires encryption is refused by the host
// and reported as that, permanently, without retrying.
func TestEncryptionSettings(t *testing.T) {
	t.Run("always over https", func(t *testing.T) {
		l := newTestLab(t, nil)
		h, cfg := l.host(t, "ex01")
		cfg.Encryption = EncryptionAlways
		s := newShell(t, cfg)
		if _, err := s.RunScript(context.Background(), runOf(t, ops.TimeRead, ops.TimeReadArgs{})); err != nil {
			t.Fatal(err)
		}
		if c := h.Counts(); c.Encrypted != c.SOAP() || c.Encrypted == 0 {
			t.Errorf("counts %+v: want every request sealed", c)
		}
	})
	t.Run("never against a host that requires it", func(t *testing.T) {
		l := newTestLab(t, func(o *wsman.Options) { o.HTTP = true; o.CA = nil })
		h, cfg := l.host(t, "ex01")
		cfg.Encryption, cfg.AllowUnencrypted = EncryptionNever, true
		s := newShell(t, cfg)
		err := s.Open(context.Background())
		var te *actions.TransportError
		if !errors.As(err, &te) || te.Kind != actions.KindProtocol || te.Class != actions.Permanent {
			t.Fatalf("error %#v, want a permanent protocol error", err)
		}
		if !strings.Contains(err.Error(), "requires message encryption") {
			t.Errorf("error %q does not say the host requires encryption", err)
		}
		if c := h.Counts(); c.Unencrypted != 1 {
			t.Errorf("counts %+v: want the one plain request refused, not retried", c)
		}
	})
}

// TestOpenAnswerRefusesMalformed: a sealed answer is read by its lengths;
// anything off is a protocol error, never a panic or a trusted length.
func TestOpenAnswerRefusesMalformed(t *testing.T) {
	key := bytes.Repeat([]byte{9}, 16)
	flags := ntlm.FlagSign | ntlm.FlagSeal | ntlm.FlagExtendedSecurity | ntlm.Flag128 | ntlm.FlagKeyExchange
	pair := func() (server, client sealer) {
		s, _ := ntlm.NewSession(flags, key, ntlm.ServerSide)
		c, _ := ntlm.NewSession(flags, key, ntlm.ClientSide)
		return sealing.NTLM(s), sealing.NTLM(c)
	}
	seal := func(m []byte, s sealer) []byte {
		b, err := sealRequest(m, s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// The server side frames its answer as a request is framed.
	server, client := pair()
	msg, typ, err := openAnswer(encryptedContentType, seal([]byte("<s:Envelope/>"), server), client)
	if err != nil || string(msg) != "<s:Envelope/>" || typ != soapContentType {
		t.Fatalf("open: %q %q %v", msg, typ, err)
	}
	edits := map[string]func([]byte) []byte{
		"empty":               func([]byte) []byte { return nil },
		"no opening boundary": func(b []byte) []byte { return b[1:] },
		"no closing boundary": func(b []byte) []byte { return b[:len(b)-1] },
		"huge length":         func(b []byte) []byte { return bytes.Replace(b, []byte("Length=13"), []byte("Length=9999999999999"), 1) },
		"short length":        func(b []byte) []byte { return bytes.Replace(b, []byte("Length=13"), []byte("Length=3"), 1) },
		"huge signature": func(b []byte) []byte {
			i := bytes.Index(b, []byte("octet-stream\r\n")) + len("octet-stream\r\n")
			binary.LittleEndian.PutUint32(b[i:], 0xfffffff0)
			return b
		},
		"flipped seal": func(b []byte) []byte { b[len(b)-30] ^= 0x40; return b },
	}
	for name, edit := range edits {
		server, client := pair()
		if _, _, err := openAnswer(encryptedContentType, edit(seal([]byte("<s:Envelope/>"), server)), client); err == nil {
			t.Errorf("%s: opened", name)
		} else if !errors.As(err, new(*protocolError)) {
			t.Errorf("%s: %v is not a protocol error", name, err)
		}
	}
}
