package ntlm

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The values of MS-NLMP 4.2.4 (NTLMv2 authentication): user "User",
// domain "Domain", password "Password", server "Server", time zero, client
// challenge 0xaa repeated, server challenge 0123456789abcdef, random
// session key 0x55 repeated, and the plaintext "Plaintext" sealed in 4.2.4.4.
var (
	specServerChallenge = [8]byte{0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}
	specClientChallenge = [8]byte{0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa}
	specRandomKey       = bytes.Repeat([]byte{0x55}, 16)
	specFlags           = Flags(0xe28a8233)
	// specTargetInfo is MsvAvNbDomainName "Domain", MsvAvNbComputerName
	// "Server", MsvAvEOL.
	specTargetInfo = unhex("02000c0044006f006d00610069006e0001000c00530065007200760065007200" + "00000000")
	specPlaintext  = utf16le("Plaintext")
)

func unhex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// TestSpecExamples reproduces MS-NLMP 4.2.4: NTOWFv2, the LMv2 and NTLMv2
// responses, the session base key, the encrypted session key, and
// GSS_WrapEx of the plaintext with the random session key.
func TestSpecExamples(t *testing.T) {
	ntowf := NTOWFv2("Password", "User", "Domain")
	check := func(name string, got []byte, want string) {
		t.Helper()
		if diff := cmp.Diff(want, hex.EncodeToString(got)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	check("4.2.4.1.1 NTOWFv2", ntowf, "0c868a403bfd7a93a3001ef22ef02e3f")
	check("4.2.4.2.1 LMv2 response", append(hmacMD5(ntowf, specServerChallenge[:], specClientChallenge[:]), specClientChallenge[:]...),
		"86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa")
	blob := ntlmv2Blob(make([]byte, 8), specClientChallenge, specTargetInfo)
	proof := NTProof(ntowf, specServerChallenge, blob)
	check("4.2.4.2.2 NTProofStr", proof, "68cd0ab851e51c96aabc927bebef6a1c")
	base := SessionBaseKey(ntowf, proof)
	check("4.2.4.1.2 session base key", base, "8de40ccadbc14a82f15cb0ad0de95ca3")
	encrypted, err := rc4Once(base, specRandomKey)
	if err != nil {
		t.Fatal(err)
	}
	check("4.2.4.2.3 encrypted session key", encrypted, "c5dad2544fc9799094ce1ce90bc9d03e")
	exported, err := ExportedSessionKey(specFlags, base, encrypted)
	if err != nil {
		t.Fatal(err)
	}
	check("exported session key", exported, hex.EncodeToString(specRandomKey))

	check("4.2.4.4 sealing key", sealKey(specFlags, exported, clientSealing), "59f600973cc4960a25480a7c196e4c58")
	check("4.2.4.4 signing key", signKey(exported, clientSigning), "4788dc861b4782f35d43fd98fe1a2d39")
	client, err := NewSession(specFlags, exported, ClientSide)
	if err != nil {
		t.Fatal(err)
	}
	sealed, sig := client.Wrap(specPlaintext)
	check("4.2.4.4 sealed data", sealed, "54e50165bf1936dc996020c1811b0f06fb5f")
	check("4.2.4.4 signature", sig, "010000007fb38ec5c55d497600000000")

	server, err := NewSession(specFlags, exported, ServerSide)
	if err != nil {
		t.Fatal(err)
	}
	got, err := server.Unwrap(sealed, sig)
	if err != nil || !bytes.Equal(got, specPlaintext) {
		t.Errorf("the server unwraps %q, %v", got, err)
	}
}

// TestSessionBothWays seals messages both ways in sequence and refuses a
// tampered message, a tampered signature, a replay and a message out of
// order.
func TestSessionBothWays(t *testing.T) {
	pair := func() (*Session, *Session) {
		c, err := NewSession(specFlags, specRandomKey, ClientSide)
		if err != nil {
			t.Fatal(err)
		}
		s, err := NewSession(specFlags, specRandomKey, ServerSide)
		if err != nil {
			t.Fatal(err)
		}
		return c, s
	}
	c, s := pair()
	for i, msg := range []string{"first request", "", "second request with more text"} {
		sealed, sig := c.Wrap([]byte(msg))
		if binary.LittleEndian.Uint32(sig[12:]) != uint32(i) {
			t.Errorf("message %d carries sequence number %d", i, binary.LittleEndian.Uint32(sig[12:]))
		}
		if got, err := s.Unwrap(sealed, sig); err != nil || string(got) != msg {
			t.Fatalf("server unwraps %q, %v; want %q", got, err, msg)
		}
		answer := "answer to " + msg
		sealed, sig = s.Wrap([]byte(answer))
		if got, err := c.Unwrap(sealed, sig); err != nil || string(got) != answer {
			t.Fatalf("client unwraps %q, %v; want %q", got, err, answer)
		}
	}

	tests := []struct {
		name   string
		tamper func(sealed, sig []byte) ([]byte, []byte)
	}{
		{"sealed byte flipped", func(sealed, sig []byte) ([]byte, []byte) { sealed[0] ^= 1; return sealed, sig }},
		{"checksum flipped", func(sealed, sig []byte) ([]byte, []byte) { sig[5] ^= 1; return sealed, sig }},
		{"sequence changed", func(sealed, sig []byte) ([]byte, []byte) { sig[12]++; return sealed, sig }},
		{"short signature", func(sealed, sig []byte) ([]byte, []byte) { return sealed, sig[:12] }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := pair()
			sealed, sig := c.Wrap([]byte("a message"))
			if _, err := s.Unwrap(tt.tamper(sealed, sig)); !errors.Is(err, ErrNTLM) {
				t.Errorf("tampered message unwrapped: %v", err)
			}
		})
	}
	t.Run("replay", func(t *testing.T) {
		c, s := pair()
		sealed, sig := c.Wrap([]byte("a message"))
		if _, err := s.Unwrap(sealed, sig); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Unwrap(sealed, sig); !errors.Is(err, ErrNTLM) {
			t.Errorf("a replayed message unwrapped: %v", err)
		}
	})
	t.Run("out of order", func(t *testing.T) {
		c, s := pair()
		c.Wrap([]byte("lost"))
		sealed, sig := c.Wrap([]byte("second"))
		if _, err := s.Unwrap(sealed, sig); !errors.Is(err, ErrNTLM) {
			t.Errorf("a message out of order unwrapped: %v", err)
		}
	})
	if _, err := NewSession(FlagNTLM|FlagExtendedSecurity, specRandomKey, ClientSide); !errors.Is(err, ErrNTLM) {
		t.Errorf("a session without sealing: %v", err)
	}
}

// specChallenge is a CHALLENGE message with the spec's server challenge
// and target info, plus a timestamp when withTime.
func specChallenge(withTime bool) []byte {
	info := specTargetInfo[:len(specTargetInfo)-4]
	if withTime {
		info = append(append([]byte{}, info...), 7, 0, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8)
	}
	info = append(append([]byte{}, info...), 0, 0, 0, 0)
	msg := make([]byte, 56)
	copy(msg, signature)
	binary.LittleEndian.PutUint32(msg[8:], typeChallenge)
	binary.LittleEndian.PutUint32(msg[20:], uint32(specFlags))
	copy(msg[24:], specServerChallenge[:])
	binary.LittleEndian.PutUint16(msg[40:], uint16(len(info)))
	binary.LittleEndian.PutUint16(msg[42:], uint16(len(info)))
	binary.LittleEndian.PutUint32(msg[44:], 56)
	return append(msg, info...)
}

// TestClientHandshake checks the AUTHENTICATE message as a server reads
// it: the NTLMv2 proof verifies with the password, the session key the
// server decrypts gives a session that unwraps the client's messages, and
// with the server's timestamp the MIC covers the three messages and
// MsvAvFlags announces it.
func TestClientHandshake(t *testing.T) {
	for _, withTime := range []bool{false, true} {
		c := &Client{User: `Domain\User`, Password: "Password", Rand: bytes.NewReader(bytes.Repeat([]byte{0xaa}, 8+16))}
		negotiate := c.Negotiate()
		if MessageType(negotiate) != typeNegotiate || Flags(binary.LittleEndian.Uint32(negotiate[12:])) != clientFlags {
			t.Fatalf("negotiate %x", negotiate)
		}
		challenge := specChallenge(withTime)
		msg, session, err := c.Authenticate(challenge)
		if err != nil {
			t.Fatal(err)
		}
		fieldOf := func(at int) []byte {
			b, err := field(msg, at)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		nt, user, domain, encrypted := fieldOf(20), fieldOf(36), fieldOf(28), fieldOf(52)
		if u, _ := fromUTF16le(user); u != "User" {
			t.Errorf("user %q", u)
		}
		if d, _ := fromUTF16le(domain); d != "Domain" {
			t.Errorf("domain %q", d)
		}
		ntowf := NTOWFv2("Password", "User", "Domain")
		proof := NTProof(ntowf, specServerChallenge, nt[16:])
		if !bytes.Equal(proof, nt[:16]) {
			t.Fatal("the NTLMv2 proof does not verify")
		}
		flags := Flags(binary.LittleEndian.Uint32(msg[60:]))
		exported, err := ExportedSessionKey(flags, SessionBaseKey(ntowf, proof), encrypted)
		if err != nil || !bytes.Equal(exported, bytes.Repeat([]byte{0xaa}, 16)) {
			t.Fatalf("exported session key %x, %v", exported, err)
		}
		mic := append([]byte{}, msg[72:88]...)
		zeroed := append([]byte{}, msg...)
		copy(zeroed[72:88], make([]byte, 16))
		if withTime {
			if !bytes.Equal(mic, MIC(exported, negotiate, challenge, zeroed)) {
				t.Error("the MIC does not cover the handshake")
			}
			if !bytes.Contains(nt, []byte{6, 0, 4, 0, 2, 0, 0, 0}) || !bytes.Contains(nt, []byte{7, 0, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8}) {
				t.Error("the blob lacks MsvAvFlags with the MIC bit or the server's timestamp")
			}
			if lm := fieldOf(12); !bytes.Equal(lm, make([]byte, 24)) {
				t.Errorf("LM response %x with a MIC; want zeros", lm)
			}
		} else if !bytes.Equal(mic, make([]byte, 16)) {
			t.Error("a MIC without the server's timestamp")
		}
		server, err := NewSession(flags, exported, ServerSide)
		if err != nil {
			t.Fatal(err)
		}
		sealed, sig := session.Wrap([]byte("hello"))
		if got, err := server.Unwrap(sealed, sig); err != nil || string(got) != "hello" {
			t.Errorf("server unwraps %q, %v", got, err)
		}
	}
}

// TestParseChallengeRefusesMalformed: bounds are checked, never trusted.
func TestParseChallengeRefusesMalformed(t *testing.T) {
	good := specChallenge(true)
	tests := map[string][]byte{
		"empty":             nil,
		"not ntlmssp":       []byte("NTLMSSQ\x00\x02\x00\x00\x00" + string(make([]byte, 40))),
		"negotiate":         append(append([]byte{}, good[:8]...), append([]byte{1, 0, 0, 0}, good[12:]...)...),
		"short":             good[:40],
		"info past the end": func() []byte { b := append([]byte{}, good...); binary.LittleEndian.PutUint16(b[40:], 0xffff); return b }(),
		"offset past end": func() []byte {
			b := append([]byte{}, good...)
			binary.LittleEndian.PutUint32(b[44:], 0xfffffff0)
			return b
		}(),
		"pair past the end": func() []byte { b := append([]byte{}, good...); binary.LittleEndian.PutUint16(b[58:], 0x7fff); return b }(),
		"no EOL": func() []byte {
			b := append([]byte{}, good[:len(good)-4]...)
			binary.LittleEndian.PutUint16(b[40:], uint16(len(b)-56))
			return b
		}(),
		"short timestamp": func() []byte {
			b := specChallenge(false)
			info := append(append([]byte{}, specTargetInfo[:len(specTargetInfo)-4]...), 7, 0, 2, 0, 1, 2, 0, 0, 0, 0)
			b = append(b[:56], info...)
			binary.LittleEndian.PutUint16(b[40:], uint16(len(info)))
			return b
		}(),
	}
	for name, msg := range tests {
		if _, err := ParseChallenge(msg); !errors.Is(err, ErrNTLM) {
			t.Errorf("%s: ParseChallenge error %v", name, err)
		}
	}
	c := &Client{User: "u", Password: "p"}
	c.Negotiate()
	weak := specChallenge(false)
	binary.LittleEndian.PutUint32(weak[20:], uint32(FlagUnicode|FlagNTLM))
	if _, _, err := c.Authenticate(weak); !errors.Is(err, ErrNTLM) {
		t.Errorf("a challenge without extended session security: %v", err)
	}
}

// FuzzParseChallenge: no CHALLENGE makes the client panic.
func FuzzParseChallenge(f *testing.F) {
	f.Add(specChallenge(true))
	f.Add(specChallenge(false))
	f.Fuzz(func(t *testing.T, msg []byte) {
		c := &Client{User: `D\u`, Password: "p"}
		c.Negotiate()
		_, _, _ = c.Authenticate(msg)
	})
}
