package wsman

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"

	ntlmssp "github.com/Azure/go-ntlmssp"

	"github.com/rectifyhq/rectify/internal/ntlm"
)

var labIdentity = ntlmIdentity{NetBIOSDomain: "LAB", NetBIOSComputer: "EX01", DNSDomain: "lab.example.test", DNSComputer: "ex01.lab.example.test"}

// handshake runs go-ntlmssp's client messages against the server side.
func handshake(t *testing.T, user, password string, cred ntlmCredential) (string, error) {
	t.Helper()
	negotiate, err := ntlmssp.NewNegotiateMessage("", "")
	if err != nil {
		t.Fatal(err)
	}
	challenge, serverChallenge, err := buildChallenge(negotiate, labIdentity, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	authenticate, err := ntlmssp.NewAuthenticateMessage(challenge, user, password, nil)
	if err != nil {
		t.Fatalf("client refused the challenge: %v", err)
	}
	logon, err := verifyAuthenticate(authenticate, ntlmHandshake{negotiate: negotiate, challenge: challenge, serverChallenge: serverChallenge}, cred)
	if err == nil && logon.session != nil {
		t.Error("a session security without sealing negotiated")
	}
	return logon.user, err
}

func TestNTLMv2Verification(t *testing.T) {
	cred := ntlmCredential{Username: `LAB\rectify`, Password: "pa55-word"}
	tests := []struct {
		name, user, password string
		want                 string
		wantErr              bool
	}{
		{name: "domain user", user: `LAB\rectify`, password: "pa55-word", want: `LAB\rectify`},
		{name: "case-insensitive user", user: `lab\RECTIFY`, password: "pa55-word", want: `lab\RECTIFY`},
		{name: "upn", user: "rectify@lab.example.test", password: "pa55-word", want: "rectify@lab.example.test"},
		{name: "wrong password", user: `LAB\rectify`, password: "pa55-wore", wantErr: true},
		{name: "other user", user: `LAB\mallory`, password: "pa55-word", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := handshake(t, tt.user, tt.password, cred)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr && !errors.Is(err, errNTLM) {
				t.Fatalf("error %v is not an NTLM error", err)
			}
			if got != tt.want {
				t.Errorf("user %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNTLMChallengeIsFreshAndGrantsKeyExchangeNotLMKeys(t *testing.T) {
	negotiate, _ := ntlmssp.NewNegotiateMessage("", "")
	ask := func(flags uint32) uint32 {
		t.Helper()
		msg := append([]byte{}, negotiate...)
		binary.LittleEndian.PutUint32(msg[12:], binary.LittleEndian.Uint32(msg[12:])|flags)
		challenge, _, err := buildChallenge(msg, labIdentity, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return binary.LittleEndian.Uint32(challenge[20:24])
	}
	if flags := ask(0); flags&(flagKeyExchange|flagSeal|flagSign) != 0 || flags&flagUnicode == 0 || flags&flagTargetInfo == 0 {
		t.Errorf("challenge flags %#x for a client asking for no session security", flags)
	}
	// Sealing and key exchange asked for are granted; LM keys never are.
	if flags := ask(flagKeyExchange | flagSeal | flagSign | 1<<7); flags&(flagKeyExchange|flagSeal|flagSign) != flagKeyExchange|flagSeal|flagSign || flags&(1<<7) != 0 {
		t.Errorf("challenge flags %#x for a client asking for sealing, key exchange and LM keys", flags)
	}
	_, ca, _ := buildChallenge(negotiate, labIdentity, time.Now())
	_, cb, _ := buildChallenge(negotiate, labIdentity, time.Now())
	if ca == cb {
		t.Error("two challenges carry the same server challenge")
	}
}

// TestNTLMSessionSecurity runs rectify's own NTLM client (key exchange,
// MIC) against the server side: the session both derive seals messages
// both ways, and a MIC that does not cover the handshake the server saw
// (a negotiation tampered with on the way) is refused.
func TestNTLMSessionSecurity(t *testing.T) {
	cred := ntlmCredential{Username: `LAB\rectify`, Password: "pa55-word"}
	run := func(tamper func(hs *ntlmHandshake)) (*ntlm.Session, ntlmLogon, error) {
		c := &ntlm.Client{User: `LAB\rectify`, Password: "pa55-word"}
		negotiate := c.Negotiate()
		challenge, serverChallenge, err := buildChallenge(negotiate, labIdentity, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		authenticate, session, err := c.Authenticate(challenge)
		if err != nil {
			t.Fatal(err)
		}
		hs := ntlmHandshake{negotiate: negotiate, challenge: challenge, serverChallenge: serverChallenge}
		if tamper != nil {
			tamper(&hs)
		}
		logon, err := verifyAuthenticate(authenticate, hs, cred)
		return session, logon, err
	}
	client, logon, err := run(nil)
	if err != nil || logon.user != `LAB\rectify` || logon.session == nil {
		t.Fatalf("logon %+v, %v", logon, err)
	}
	sealed, sig := client.Wrap([]byte("<s:Envelope/>"))
	if got, err := logon.session.Unwrap(sealed, sig); err != nil || string(got) != "<s:Envelope/>" {
		t.Errorf("server unwraps %q, %v", got, err)
	}
	sealed, sig = logon.session.Wrap([]byte("answer"))
	if got, err := client.Unwrap(sealed, sig); err != nil || string(got) != "answer" {
		t.Errorf("client unwraps %q, %v", got, err)
	}
	// A negotiation stripped of sealing on the way no longer matches the MIC.
	_, _, err = run(func(hs *ntlmHandshake) {
		hs.negotiate = append([]byte{}, hs.negotiate...)
		binary.LittleEndian.PutUint32(hs.negotiate[12:], binary.LittleEndian.Uint32(hs.negotiate[12:])&^(flagSeal|flagKeyExchange))
	})
	if !errors.Is(err, errNTLM) {
		t.Errorf("a tampered negotiation verified: %v", err)
	}
}

func TestNTLMRefusesMalformedMessages(t *testing.T) {
	var sc [8]byte
	cred := ntlmCredential{Username: "u", Password: "p"}
	bad := [][]byte{
		nil,
		[]byte("NTLMSSP\x00\x03\x00\x00\x00"),
		append([]byte("NTLMSSP\x00\x03\x00\x00\x00"), make([]byte, 60)...),
		append(append([]byte("NTLMSSP\x00\x03\x00\x00\x00"), 0xff, 0xff, 0, 0, 0xff, 0xff, 0xff, 0x7f), make([]byte, 60)...),
	}
	for i, msg := range bad {
		if _, err := verifyAuthenticate(msg, ntlmHandshake{serverChallenge: sc}, cred); !errors.Is(err, errNTLM) {
			t.Errorf("message %d: error %v, want an NTLM refusal", i, err)
		}
	}
	if _, _, err := buildChallenge([]byte("NTLMSSP\x00\x02\x00\x00\x00"), labIdentity, time.Now()); !errors.Is(err, errNTLM) {
		t.Errorf("challenge for a non-NEGOTIATE: error %v", err)
	}
}

// FuzzNTLMMessages feeds the NTLM parsers arbitrary tokens, as a client can
// send in an Authorization header: they must refuse, never panic, and never
// accept what go-ntlmssp did not compute from the password.
func FuzzNTLMMessages(f *testing.F) {
	negotiate, _ := ntlmssp.NewNegotiateMessage("LAB", "WS01")
	challenge, serverChallenge, _ := buildChallenge(negotiate, labIdentity, time.Now())
	authenticate, _ := ntlmssp.NewAuthenticateMessage(challenge, `LAB\rectify`, "wrong", nil)
	f.Add(negotiate)
	f.Add(authenticate)
	cred := ntlmCredential{Username: `LAB\rectify`, Password: "pa55-word"}
	f.Fuzz(func(t *testing.T, msg []byte) {
		_, _, _ = buildChallenge(msg, labIdentity, time.Now())
		if logon, err := verifyAuthenticate(msg, ntlmHandshake{negotiate: negotiate, challenge: challenge, serverChallenge: serverChallenge}, cred); err == nil {
			t.Fatalf("accepted %q as %q without the password", msg, logon.user)
		}
	})
}
