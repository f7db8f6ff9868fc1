package wsman

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/rectifyhq/rectify/internal/ntlm"
)

// NTLM message types and the negotiate flags the server looks at or sets
// (MS-NLMP 2.2.2.5).
const (
	ntlmNegotiate    = 1
	ntlmChallenge    = 2
	ntlmAuthenticate = 3

	flagUnicode          = 1 << 0
	flagRequestTarget    = 1 << 2
	flagSign             = 1 << 4
	flagSeal             = 1 << 5
	flagNTLM             = 1 << 9
	flagAlwaysSign       = 1 << 15
	flagTargetTypeDomain = 1 << 16
	flagExtendedSecurity = 1 << 19
	flagTargetInfo       = 1 << 23
	flagVersion          = 1 << 25
	flag128              = 1 << 29
	flagKeyExchange      = 1 << 30
	flag56               = 1 << 31
)

var ntlmSignature = []byte("NTLMSSP\x00")

// errNTLM is the class of every NTLM failure: the client gets a 401.
var errNTLM = errors.New("ntlm")

// ntlmIdentity is what the server tells clients about itself in a CHALLENGE.
type ntlmIdentity struct {
	NetBIOSDomain   string
	NetBIOSComputer string
	DNSDomain       string
	DNSComputer     string
}

// ntlmMessageType returns the type of an NTLMSSP message, or 0 when token is
// not one.
func ntlmMessageType(token []byte) uint32 {
	if len(token) < 12 || !bytes.Equal(token[:8], ntlmSignature) {
		return 0
	}
	return binary.LittleEndian.Uint32(token[8:12])
}

// buildChallenge answers a NEGOTIATE message with a CHALLENGE carrying a
// fresh server challenge and the target information (with a timestamp, so
// that clients compute NTLMv2 responses and MICs as against Windows). It
// grants the session security the client asks for (signing, sealing, key
// exchange, 128-bit keys), which WinRM message encryption needs; LM keys
// are never offered.
func buildChallenge(negotiate []byte, id ntlmIdentity, now time.Time) (msg []byte, serverChallenge [8]byte, err error) {
	if ntlmMessageType(negotiate) != ntlmNegotiate || len(negotiate) < 16 {
		return nil, serverChallenge, fmt.Errorf("%w: not a NEGOTIATE message", errNTLM)
	}
	// Unicode is always chosen, as Windows does, even for clients that
	// offer only OEM strings (ntlm-auth).
	clientFlags := binary.LittleEndian.Uint32(negotiate[12:16])
	flags := uint32(flagUnicode | flagRequestTarget | flagNTLM | flagAlwaysSign | flagTargetTypeDomain |
		flagTargetInfo | flagVersion)
	flags |= clientFlags & (flagExtendedSecurity | flag128 | flag56 | flagSign | flagSeal | flagKeyExchange)
	if _, err := rand.Read(serverChallenge[:]); err != nil {
		return nil, serverChallenge, fmt.Errorf("%w: server challenge: %v", errNTLM, err)
	}

	targetName := utf16le(id.NetBIOSDomain)
	var info bytes.Buffer
	avPair := func(id uint16, value []byte) {
		_ = binary.Write(&info, binary.LittleEndian, id)
		_ = binary.Write(&info, binary.LittleEndian, uint16(len(value)))
		info.Write(value)
	}
	avPair(2, utf16le(id.NetBIOSDomain))
	avPair(1, utf16le(id.NetBIOSComputer))
	avPair(4, utf16le(id.DNSDomain))
	avPair(3, utf16le(id.DNSComputer))
	var ts [8]byte
	binary.LittleEndian.PutUint64(ts[:], fileTime(now))
	avPair(7, ts[:])
	avPair(0, nil)

	const payloadOffset = 56
	var b bytes.Buffer
	b.Write(ntlmSignature)
	_ = binary.Write(&b, binary.LittleEndian, uint32(ntlmChallenge))
	writeField(&b, len(targetName), payloadOffset)
	_ = binary.Write(&b, binary.LittleEndian, flags)
	b.Write(serverChallenge[:])
	b.Write(make([]byte, 8))
	writeField(&b, info.Len(), payloadOffset+len(targetName))
	b.Write([]byte{10, 0, 0x63, 0x45, 0, 0, 0, 15}) // version 10.0 build 17763, NTLM revision 15
	b.Write(targetName)
	b.Write(info.Bytes())
	return b.Bytes(), serverChallenge, nil
}

// ntlmCredential is the one account the lab host accepts.
type ntlmCredential struct {
	Username string
	Password string
}

// ntlmHandshake is what the server keeps of a connection's handshake until
// the AUTHENTICATE message arrives: the MIC covers all three messages.
type ntlmHandshake struct {
	negotiate, challenge []byte
	serverChallenge      [8]byte
}

// ntlmLogon is a verified AUTHENTICATE message: the user as DOMAIN\name,
// and the session security it established when the client negotiated
// signing and sealing (nil otherwise).
type ntlmLogon struct {
	user    string
	session *ntlm.Session
}

// verifyAuthenticate checks an AUTHENTICATE message against the handshake
// it ends: the user must be the known account, its NTLMv2 proof must match
// the known password, and a MIC, when MsvAvFlags announces one, must cover
// the three messages under the exported session key (so that a negotiation
// tampered with on the way fails, as on Windows). NTLMv1, LM-only and
// anonymous responses are refused; channel bindings are not checked
// (Windows' default CbtHardeningLevel is Relaxed).
func verifyAuthenticate(msg []byte, hs ntlmHandshake, cred ntlmCredential) (ntlmLogon, error) {
	if ntlmMessageType(msg) != ntlmAuthenticate || len(msg) < 64 {
		return ntlmLogon{}, fmt.Errorf("%w: not an AUTHENTICATE message", errNTLM)
	}
	flags := binary.LittleEndian.Uint32(msg[60:64])
	field := func(at int) ([]byte, error) {
		n := int(binary.LittleEndian.Uint16(msg[at:]))
		off := int(binary.LittleEndian.Uint32(msg[at+4:]))
		if off < 0 || off > len(msg) || n > len(msg)-off {
			return nil, fmt.Errorf("%w: field at %d out of bounds", errNTLM, at)
		}
		return msg[off : off+n], nil
	}
	text := func(at int) (string, error) {
		raw, err := field(at)
		if err != nil {
			return "", err
		}
		if flags&flagUnicode == 0 {
			return string(raw), nil
		}
		if len(raw)%2 != 0 {
			return "", fmt.Errorf("%w: odd-length Unicode field", errNTLM)
		}
		u := make([]uint16, len(raw)/2)
		for i := range u {
			u[i] = binary.LittleEndian.Uint16(raw[2*i:])
		}
		return string(utf16.Decode(u)), nil
	}
	nt, err := field(20)
	if err != nil {
		return ntlmLogon{}, err
	}
	domain, err := text(28)
	if err != nil {
		return ntlmLogon{}, err
	}
	user, err := text(36)
	if err != nil {
		return ntlmLogon{}, err
	}
	encryptedKey, err := field(52)
	if err != nil {
		return ntlmLogon{}, err
	}
	// An NTLMv2 response is the 16-byte proof followed by a blob of at least
	// 28 bytes (version, reserved, timestamp, client challenge, reserved).
	if len(nt) < 16+28 || nt[16] != 1 || nt[17] != 1 {
		return ntlmLogon{}, fmt.Errorf("%w: not an NTLMv2 response", errNTLM)
	}
	if !sameAccount(user, cred.Username) {
		return ntlmLogon{}, fmt.Errorf("%w: unknown user", errNTLM)
	}
	ntowf := ntlm.NTOWFv2(cred.Password, user, domain)
	proof := ntlm.NTProof(ntowf, hs.serverChallenge, nt[16:])
	if !hmac.Equal(proof, nt[:16]) {
		return ntlmLogon{}, fmt.Errorf("%w: wrong password", errNTLM)
	}
	exported, err := ntlm.ExportedSessionKey(ntlm.Flags(flags), ntlm.SessionBaseKey(ntowf, proof), encryptedKey)
	if err != nil {
		return ntlmLogon{}, fmt.Errorf("%w: %v", errNTLM, err)
	}
	if blobAnnouncesMIC(nt[16+28:]) {
		if len(msg) < 88 {
			return ntlmLogon{}, fmt.Errorf("%w: the MsvAvFlags announce a MIC the message has no room for", errNTLM)
		}
		zeroed := append([]byte{}, msg...)
		copy(zeroed[72:88], make([]byte, 16))
		if !hmac.Equal(msg[72:88], ntlm.MIC(exported, hs.negotiate, hs.challenge, zeroed)) {
			return ntlmLogon{}, fmt.Errorf("%w: the MIC does not verify", errNTLM)
		}
	}
	logon := ntlmLogon{user: user}
	if domain != "" {
		logon.user = domain + `\` + user
	}
	if ntlm.Flags(flags).Has(ntlm.FlagSign | ntlm.FlagSeal | ntlm.FlagExtendedSecurity) {
		if logon.session, err = ntlm.NewSession(ntlm.Flags(flags), exported, ntlm.ServerSide); err != nil {
			return ntlmLogon{}, fmt.Errorf("%w: %v", errNTLM, err)
		}
	}
	return logon, nil
}

// blobAnnouncesMIC reports whether the AV pairs of an NTLMv2 blob (after
// its fixed 28 bytes) hold MsvAvFlags with the MIC bit (0x2).
func blobAnnouncesMIC(pairs []byte) bool {
	for len(pairs) >= 4 {
		id, n := binary.LittleEndian.Uint16(pairs), int(binary.LittleEndian.Uint16(pairs[2:]))
		if id == 0 || n > len(pairs)-4 {
			return false
		}
		if id == 6 && n == 4 && binary.LittleEndian.Uint32(pairs[4:])&0x2 != 0 {
			return true
		}
		pairs = pairs[4+n:]
	}
	return false
}

// sameAccount reports whether a user name given by a client names the
// configured account: "DOMAIN\name", "name@domain" and "name" all name
// "name", compared case-insensitively as Windows does.
func sameAccount(given, configured string) bool {
	return strings.EqualFold(accountName(given), accountName(configured)) && accountName(given) != ""
}

func accountName(user string) string {
	if i := strings.LastIndexByte(user, '\\'); i >= 0 {
		user = user[i+1:]
	}
	if i := strings.IndexByte(user, '@'); i >= 0 {
		user = user[:i]
	}
	return user
}

func writeField(b *bytes.Buffer, n, offset int) {
	_ = binary.Write(b, binary.LittleEndian, uint16(n))
	_ = binary.Write(b, binary.LittleEndian, uint16(n))
	_ = binary.Write(b, binary.LittleEndian, uint32(offset))
}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, r := range u {
		binary.LittleEndian.PutUint16(b[2*i:], r)
	}
	return b
}

// fileTime converts t to a Windows FILETIME (100 ns since 1601).
func fileTime(t time.Time) uint64 {
	return uint64(t.UnixNano()/100) + 116444736000000000
}
