package kerberos

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/iana/nametype"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"
)

const (
	realm = "LAB.EXAMPLE.TEST"
	spn   = "HTTP/ex01.lab.example.test"
)

// serviceKeytab holds the service's key, derived from a password as a KDC
// would, for one encryption type.
func serviceKeytab(t *testing.T, etype int32) *keytab.Keytab {
	t.Helper()
	kt := keytab.New()
	if err := kt.AddEntry(spn, realm, "service-account-password", time.Now(), 2, etype); err != nil {
		t.Fatal(err)
	}
	return kt
}

// ticketFor issues a ticket for the service as the KDC would, with the
// keytab's key, so that the GSS layer is tested without a KDC (the tests
// against Samba's KDC are in internal/winrm and the lab).
func ticketFor(t *testing.T, kt *keytab.Keytab, etype int32) Ticket {
	t.Helper()
	cname := types.NewPrincipalName(nametype.KRB_NT_PRINCIPAL, "Administrator")
	sname := types.NewPrincipalName(nametype.KRB_NT_SRV_INST, spn)
	now := time.Now().UTC()
	tkt, key, err := messages.NewTicket(cname, realm, sname, realm, asn1.BitString{Bytes: make([]byte, 4), BitLength: 32}, kt, etype, 2, now, now, now.Add(time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return Ticket{Ticket: tkt, SessionKey: key, CName: cname, Realm: realm}
}

// establish runs the handshake and returns both sides' sessions.
func establish(t *testing.T, etype int32) (client, server *Session, accepted *Accepted) {
	t.Helper()
	kt := serviceKeytab(t, etype)
	token, init, err := Initiate(ticketFor(t, kt, etype), nil)
	if err != nil {
		t.Fatal(err)
	}
	accepted, err = Accept(token, kt, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	client, err = init.Complete(accepted.Answer)
	if err != nil {
		t.Fatal(err)
	}
	return client, accepted.Session, accepted
}

// TestHandshakeAndSealing establishes a context with AES-256 and AES-128
// and seals messages both ways: the acceptor's subkey is used, the header
// has Windows' 60-byte layout (EC 0, RRC 28), sequence numbers advance,
// and the client is named as the ticket names it.
func TestHandshakeAndSealing(t *testing.T) {
	for _, etype := range []int32{etypeID.AES256_CTS_HMAC_SHA1_96, etypeID.AES128_CTS_HMAC_SHA1_96} {
		client, server, accepted := establish(t, etype)
		if accepted.User != "Administrator@"+realm || accepted.Delegated {
			t.Errorf("accepted %q, delegated %v", accepted.User, accepted.Delegated)
		}
		for i, msg := range []string{"<s:Envelope>first</s:Envelope>", "", "a second, longer message to seal"} {
			header, sealed, err := client.Wrap([]byte(msg))
			if err != nil {
				t.Fatal(err)
			}
			if len(header) != 60 || len(sealed) != len(msg) || header[2] != flagSealed|flagAcceptorSubkey || header[6] != 0 || header[7] != rrc {
				t.Errorf("message %d: header %d bytes %x, sealed %d bytes", i, len(header), header[:8], len(sealed))
			}
			if len(msg) > 4 && bytes.Contains(sealed, []byte(msg[:4])) {
				t.Errorf("message %d travels readable", i)
			}
			got, err := server.Unwrap(header, sealed)
			if err != nil || string(got) != msg {
				t.Fatalf("server unwraps %q, %v", got, err)
			}
			header, sealed, err = server.Wrap([]byte("answer " + msg))
			if err != nil {
				t.Fatal(err)
			}
			if header[2] != flagSealed|flagAcceptorSubkey|flagSentByAcceptor {
				t.Errorf("acceptor's flags %#x", header[2])
			}
			if got, err := client.Unwrap(header, sealed); err != nil || string(got) != "answer "+msg {
				t.Fatalf("client unwraps %q, %v", got, err)
			}
		}
	}
}

// TestUnwrapRefuses: a tampered, replayed, reordered or reflected token is
// refused.
func TestUnwrapRefuses(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(client, server *Session) (header, sealed []byte)
	}{
		{"flipped sealed byte", func(c, _ *Session) ([]byte, []byte) {
			h, s, _ := c.Wrap([]byte("a message"))
			s[0] ^= 1
			return h, s
		}},
		{"flipped checksum", func(c, _ *Session) ([]byte, []byte) {
			h, s, _ := c.Wrap([]byte("a message"))
			h[20] ^= 1
			return h, s
		}},
		{"sequence rewritten", func(c, _ *Session) ([]byte, []byte) {
			h, s, _ := c.Wrap([]byte("a message"))
			h[15]++
			return h, s
		}},
		{"out of order", func(c, _ *Session) ([]byte, []byte) {
			c.Wrap([]byte("lost"))
			return c.Wrap2([]byte("second"))
		}},
		{"reflected", func(_, s *Session) ([]byte, []byte) { return s.Wrap2([]byte("the server's own")) }},
		{"short", func(c, _ *Session) ([]byte, []byte) { h, _, _ := c.Wrap([]byte("x")); return h[:30], nil }},
		{"not a wrap token", func(c, _ *Session) ([]byte, []byte) { h, s, _ := c.Wrap([]byte("x")); h[0] = 0x04; return h, s }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, server, _ := establish(t, etypeID.AES256_CTS_HMAC_SHA1_96)
			h, s := tt.tamper(client, server)
			if _, err := server.Unwrap(h, s); !errors.Is(err, ErrKerberos) {
				t.Errorf("unwrapped: %v", err)
			}
		})
	}
	t.Run("replay", func(t *testing.T) {
		client, server, _ := establish(t, etypeID.AES256_CTS_HMAC_SHA1_96)
		h, s, _ := client.Wrap([]byte("once"))
		if _, err := server.Unwrap(bytes.Clone(h), bytes.Clone(s)); err != nil {
			t.Fatal(err)
		}
		if _, err := server.Unwrap(h, s); !errors.Is(err, ErrKerberos) {
			t.Errorf("a replayed token unwrapped: %v", err)
		}
	})
}

// Wrap2 is Wrap without its error, for the table above.
func (s *Session) Wrap2(m []byte) ([]byte, []byte) { h, b, _ := s.Wrap(m); return h, b }

// TestAcceptRefuses: an AP-REQ replayed, for another service key, or with
// an RC4 session key (whose wrap tokens this package does not seal) is
// refused; an AP-REP that does not answer this client is refused.
func TestAcceptRefuses(t *testing.T) {
	aes := int32(etypeID.AES256_CTS_HMAC_SHA1_96)
	kt := serviceKeytab(t, aes)
	token, _, err := Initiate(ticketFor(t, kt, aes), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Accept(token, kt, 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := Accept(token, kt, 5*time.Minute); !errors.Is(err, ErrKerberos) {
		t.Errorf("a replayed AP-REQ was accepted: %v", err)
	}
	other := keytab.New()
	if err := other.AddEntry(spn, realm, "another-password", time.Now(), 2, aes); err != nil {
		t.Fatal(err)
	}
	token, _, _ = Initiate(ticketFor(t, kt, aes), nil)
	if _, err := Accept(token, other, 5*time.Minute); !errors.Is(err, ErrKerberos) {
		t.Errorf("an AP-REQ for another key was accepted: %v", err)
	}
	for _, bad := range [][]byte{nil, []byte("not a token"), {0x60, 0x03, 0x06, 0x01, 0x00}} {
		if _, err := Accept(bad, kt, 5*time.Minute); !errors.Is(err, ErrKerberos) {
			t.Errorf("token %x accepted: %v", bad, err)
		}
	}
	rc4 := serviceKeytab(t, etypeID.RC4_HMAC)
	token, _, _ = Initiate(ticketFor(t, rc4, etypeID.RC4_HMAC), nil)
	if _, err := Accept(token, rc4, 5*time.Minute); !errors.Is(err, ErrKerberos) {
		t.Errorf("an RC4 context was accepted for sealing: %v", err)
	}

	// Another client's AP-REP does not complete this one's context.
	_, initA, _ := Initiate(ticketFor(t, kt, aes), nil)
	tokenB, _, _ := Initiate(ticketFor(t, kt, aes), nil)
	acceptedB, err := Accept(tokenB, kt, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := initA.Complete(acceptedB.Answer); !errors.Is(err, ErrKerberos) {
		t.Errorf("another context's AP-REP completed this one: %v", err)
	}
}

// FuzzAccept: no token makes the acceptor or the initiator panic.
func FuzzAccept(f *testing.F) {
	f.Add([]byte{0x60, 0x03, 0x06, 0x01, 0x00})
	f.Add([]byte{0xa1, 0x05, 0x30, 0x03, 0xa0, 0x01, 0x00})
	kt := keytab.New()
	_ = kt.AddEntry(spn, realm, "pw", time.Now(), 2, etypeID.AES256_CTS_HMAC_SHA1_96)
	f.Fuzz(func(t *testing.T, token []byte) {
		_, _ = Accept(token, kt, time.Minute)
		i := &Initiator{sessionKey: types.EncryptionKey{KeyType: etypeID.AES256_CTS_HMAC_SHA1_96, KeyValue: make([]byte, 32)}}
		_, _ = i.Complete(token)
	})
}

// TestDelegation: a client that forwards a TGT puts a KRB-CRED the acceptor
// decrypts with the ticket's session key, and the acceptor reports the
// context delegated; a KRB-CRED of a service ticket is no delegation.
func TestDelegation(t *testing.T) {
	aes := int32(etypeID.AES256_CTS_HMAC_SHA1_96)
	kt := serviceKeytab(t, aes)
	forward := func(service string) *Forwarded {
		krbtgt := keytab.New()
		if err := krbtgt.AddEntry(service, realm, "krbtgt-password", time.Now(), 2, aes); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		sname := types.NewPrincipalName(nametype.KRB_NT_SRV_INST, service)
		tgt, key, err := messages.NewTicket(types.NewPrincipalName(nametype.KRB_NT_PRINCIPAL, "Administrator"), realm, sname, realm,
			asn1.BitString{Bytes: []byte{0x60, 0, 0, 0}, BitLength: 32}, krbtgt, aes, 2, now, now, now.Add(time.Hour), now.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return &Forwarded{Ticket: tgt, Reply: messages.EncKDCRepPart{Key: key, Flags: asn1.BitString{Bytes: []byte{0x60, 0, 0, 0}, BitLength: 32},
			AuthTime: now, StartTime: now, EndTime: now.Add(time.Hour), SRealm: realm, SName: sname}}
	}
	tests := []struct {
		name      string
		forwarded *Forwarded
		want      bool
	}{
		{"none", nil, false},
		{"a forwarded TGT", forward("krbtgt/" + realm), true},
		{"a service ticket", forward("HTTP/other.lab.example.test"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token, init, err := Initiate(ticketFor(t, kt, aes), tt.forwarded)
			if err != nil {
				t.Fatal(err)
			}
			accepted, err := Accept(token, kt, 5*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if accepted.Delegated != tt.want {
				t.Errorf("delegated %v, want %v", accepted.Delegated, tt.want)
			}
			if _, err := init.Complete(accepted.Answer); err != nil {
				t.Errorf("complete: %v", err)
			}
		})
	}
}
