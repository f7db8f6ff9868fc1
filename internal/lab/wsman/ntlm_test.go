package wsman

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"

	ntlmssp "github.com/Azure/go-ntlmssp"
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
	return verifyAuthenticate(authenticate, serverChallenge, cred)
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

func TestNTLMChallengeIsFreshAndOffersNoKeyExchange(t *testing.T) {
	negotiate, _ := ntlmssp.NewNegotiateMessage("", "")
	// Ask for key exchange and LM keys: the server must not grant them.
	binary.LittleEndian.PutUint32(negotiate[12:], binary.LittleEndian.Uint32(negotiate[12:])|1<<30|1<<7)
	a, ca, err := buildChallenge(negotiate, labIdentity, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, cb, _ := buildChallenge(negotiate, labIdentity, time.Now())
	if ca == cb {
		t.Error("two challenges carry the same server challenge")
	}
	flags := binary.LittleEndian.Uint32(a[20:24])
	if flags&(1<<30) != 0 || flags&(1<<7) != 0 || flags&flagUnicode == 0 || flags&flagTargetInfo == 0 {
		t.Errorf("challenge flags %#x", flags)
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
		if _, err := verifyAuthenticate(msg, sc, cred); !errors.Is(err, errNTLM) {
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
		if user, err := verifyAuthenticate(msg, serverChallenge, cred); err == nil {
			t.Fatalf("accepted %q as %q without the password", msg, user)
		}
	})
}
