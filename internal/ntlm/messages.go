package ntlm

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"io"
	"strings"
)

// signature begins every NTLMSSP message.
var signature = []byte("NTLMSSP\x00")

// The message types.
const (
	typeNegotiate    = 1
	typeChallenge    = 2
	typeAuthenticate = 3
)

// The AV pair ids this package reads or writes (MS-NLMP 2.2.2.1).
const (
	avEOL       = 0
	avTimestamp = 7
	avFlags     = 6
)

// avFlagMIC says the AUTHENTICATE message carries a MIC.
const avFlagMIC = 0x2

// clientFlags are the flags the client asks for: NTLMv2 with extended
// session security, signing and sealing with 128-bit keys and key
// exchange, as WinRM message encryption needs.
const clientFlags = FlagUnicode | FlagRequestTarget | FlagSign | FlagSeal | FlagNTLM | FlagAlwaysSign |
	FlagExtendedSecurity | FlagTargetInfo | FlagVersion | Flag128 | FlagKeyExchange | Flag56

// version is what the client reports of itself: Windows 10.0 build 17763,
// NTLM revision 15. Servers use it for nothing but logs.
var version = []byte{10, 0, 0x63, 0x45, 0, 0, 0, 15}

// MessageType returns the type of an NTLMSSP message (1 NEGOTIATE,
// 2 CHALLENGE, 3 AUTHENTICATE), or 0 when token is not one.
func MessageType(token []byte) uint32 {
	if len(token) < 12 || !bytes.Equal(token[:8], signature) {
		return 0
	}
	return binary.LittleEndian.Uint32(token[8:12])
}

// Challenge is a server's CHALLENGE message, parsed.
type Challenge struct {
	Flags           Flags
	ServerChallenge [8]byte
	// TargetInfo is the raw AV pair list, as the client echoes it.
	TargetInfo []byte
	// Timestamp is the server's MsvAvTimestamp, nil when it sent none.
	Timestamp []byte
}

// ParseChallenge reads a CHALLENGE message, checking every bound.
func ParseChallenge(msg []byte) (*Challenge, error) {
	if MessageType(msg) != typeChallenge || len(msg) < 48 {
		return nil, errorf("not a CHALLENGE message")
	}
	c := &Challenge{Flags: Flags(binary.LittleEndian.Uint32(msg[20:24]))}
	copy(c.ServerChallenge[:], msg[24:32])
	info, err := field(msg, 40)
	if err != nil {
		return nil, err
	}
	c.TargetInfo = info
	pairs, err := avPairs(info)
	if err != nil {
		return nil, err
	}
	for _, p := range pairs {
		if p.id == avTimestamp {
			if len(p.value) != 8 {
				return nil, errorf("the timestamp has %d bytes, not 8", len(p.value))
			}
			c.Timestamp = p.value
		}
	}
	return c, nil
}

// field returns the payload a message's field header at offset names
// (length, allocated length, offset), checking that it lies in msg.
func field(msg []byte, at int) ([]byte, error) {
	if at+8 > len(msg) {
		return nil, errorf("the message ends inside the field at %d", at)
	}
	n := int(binary.LittleEndian.Uint16(msg[at:]))
	off := int(binary.LittleEndian.Uint32(msg[at+4:]))
	if n == 0 {
		return nil, nil
	}
	if off < 0 || off > len(msg) || n > len(msg)-off {
		return nil, errorf("the field at %d lies outside the message", at)
	}
	return msg[off : off+n], nil
}

type avPair struct {
	id    uint16
	value []byte
}

// avPairs splits an AV pair list, which must end with MsvAvEOL.
func avPairs(info []byte) ([]avPair, error) {
	var pairs []avPair
	for len(info) > 0 {
		if len(info) < 4 {
			return nil, errorf("the target info ends inside an AV pair")
		}
		id, n := binary.LittleEndian.Uint16(info), int(binary.LittleEndian.Uint16(info[2:]))
		if n > len(info)-4 {
			return nil, errorf("an AV pair runs past the target info")
		}
		if id == avEOL {
			return pairs, nil
		}
		pairs = append(pairs, avPair{id: id, value: info[4 : 4+n]})
		info = info[4+n:]
	}
	if pairs == nil {
		return nil, nil
	}
	return nil, errorf("the target info has no MsvAvEOL")
}

// Client is the client side of one NTLM handshake. Use a new Client for
// every connection.
type Client struct {
	// User is "DOMAIN\name", "name@domain" or "name".
	User     string
	Password string
	// Workstation is the client's computer name; it may be empty.
	Workstation string
	// Rand is the source of the client challenge and session key; nil
	// means crypto/rand.
	Rand io.Reader

	negotiate []byte
}

// Negotiate returns the NEGOTIATE message.
func (c *Client) Negotiate() []byte {
	var b bytes.Buffer
	b.Write(signature)
	_ = binary.Write(&b, binary.LittleEndian, uint32(typeNegotiate))
	_ = binary.Write(&b, binary.LittleEndian, uint32(clientFlags))
	b.Write(make([]byte, 16)) // no domain, no workstation
	b.Write(version)
	c.negotiate = b.Bytes()
	return c.negotiate
}

// Authenticate answers a CHALLENGE with the AUTHENTICATE message and
// returns the session the handshake established. It refuses a challenge
// that does not offer NTLMv2 with extended session security.
func (c *Client) Authenticate(challenge []byte) ([]byte, *Session, error) {
	if c.negotiate == nil {
		return nil, nil, errorf("no NEGOTIATE message was sent")
	}
	ch, err := ParseChallenge(challenge)
	if err != nil {
		return nil, nil, err
	}
	flags := ch.Flags & clientFlags
	if !flags.Has(FlagUnicode | FlagNTLM | FlagExtendedSecurity) {
		return nil, nil, errorf("the server does not offer NTLMv2 with extended session security (flags %#08x)", uint32(ch.Flags))
	}
	if ch.Flags.Has(FlagLMKey) {
		return nil, nil, errorf("the server asks for LM session keys")
	}
	random := c.Rand
	if random == nil {
		random = rand.Reader
	}
	var clientChallenge [8]byte
	randomKey := make([]byte, 16)
	if _, err := io.ReadFull(random, clientChallenge[:]); err != nil {
		return nil, nil, err
	}
	if _, err := io.ReadFull(random, randomKey); err != nil {
		return nil, nil, err
	}
	user, domain := splitUser(c.User)
	ntowf := NTOWFv2(c.Password, user, domain)

	// With the server's timestamp the client proves the whole handshake
	// with a MIC and says so in MsvAvFlags (MS-NLMP 3.1.5.1.2).
	withMIC := ch.Timestamp != nil
	timestamp := ch.Timestamp
	if timestamp == nil {
		timestamp = make([]byte, 8)
		binary.LittleEndian.PutUint64(timestamp, fileTime())
	}
	info, err := clientTargetInfo(ch.TargetInfo, withMIC)
	if err != nil {
		return nil, nil, err
	}
	blob := ntlmv2Blob(timestamp, clientChallenge, info)
	proof := NTProof(ntowf, ch.ServerChallenge, blob)
	ntResponse := append(append([]byte{}, proof...), blob...)
	lmResponse := make([]byte, 24)
	if !withMIC {
		lmResponse = append(hmacMD5(ntowf, ch.ServerChallenge[:], clientChallenge[:]), clientChallenge[:]...)
	}
	keyExchangeKey := SessionBaseKey(ntowf, proof)
	exported := keyExchangeKey
	var encryptedKey []byte
	if flags.Has(FlagKeyExchange) {
		exported = randomKey
		if encryptedKey, err = rc4Once(keyExchangeKey, randomKey); err != nil {
			return nil, nil, err
		}
	}

	msg := authenticateMessage(flags, lmResponse, ntResponse, utf16le(domain), utf16le(user), utf16le(c.Workstation), encryptedKey)
	if withMIC {
		copy(msg[72:88], MIC(exported, c.negotiate, challenge, msg))
	}
	var s *Session
	if flags.Has(FlagSign | FlagSeal) {
		if s, err = NewSession(flags, exported, ClientSide); err != nil {
			return nil, nil, err
		}
	}
	return msg, s, nil
}

// authenticateMessage lays out an AUTHENTICATE message with version and
// a zeroed MIC field (MS-NLMP 2.2.1.3).
func authenticateMessage(flags Flags, lm, nt, domain, user, workstation, encryptedKey []byte) []byte {
	const header = 88
	payloads := [][]byte{lm, nt, domain, user, workstation, encryptedKey}
	msg := make([]byte, header)
	copy(msg, signature)
	binary.LittleEndian.PutUint32(msg[8:], typeAuthenticate)
	off := header
	for i, p := range payloads {
		at := 12 + 8*i
		binary.LittleEndian.PutUint16(msg[at:], uint16(len(p)))
		binary.LittleEndian.PutUint16(msg[at+2:], uint16(len(p)))
		binary.LittleEndian.PutUint32(msg[at+4:], uint32(off))
		off += len(p)
	}
	binary.LittleEndian.PutUint32(msg[60:], uint32(flags|FlagVersion))
	copy(msg[64:72], version)
	for _, p := range payloads {
		msg = append(msg, p...)
	}
	return msg
}

// ntlmv2Blob is the client's part of an NTLMv2 response (MS-NLMP 2.2.2.7).
func ntlmv2Blob(timestamp []byte, clientChallenge [8]byte, targetInfo []byte) []byte {
	var b bytes.Buffer
	b.Write([]byte{1, 1, 0, 0, 0, 0, 0, 0})
	b.Write(timestamp)
	b.Write(clientChallenge[:])
	b.Write(make([]byte, 4))
	b.Write(targetInfo)
	b.Write(make([]byte, 4))
	return b.Bytes()
}

// clientTargetInfo is the server's target info as the client returns it:
// with MsvAvFlags saying a MIC follows when withMIC, ending with MsvAvEOL.
func clientTargetInfo(server []byte, withMIC bool) ([]byte, error) {
	if !withMIC {
		return server, nil
	}
	pairs, err := avPairs(server)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	flagsDone := false
	for _, p := range pairs {
		value := p.value
		if p.id == avFlags && len(value) == 4 {
			value = binary.LittleEndian.AppendUint32(nil, binary.LittleEndian.Uint32(value)|avFlagMIC)
			flagsDone = true
		}
		writeAVPair(&b, p.id, value)
	}
	if !flagsDone {
		writeAVPair(&b, avFlags, binary.LittleEndian.AppendUint32(nil, avFlagMIC))
	}
	writeAVPair(&b, avEOL, nil)
	return b.Bytes(), nil
}

func writeAVPair(b *bytes.Buffer, id uint16, value []byte) {
	_ = binary.Write(b, binary.LittleEndian, id)
	_ = binary.Write(b, binary.LittleEndian, uint16(len(value)))
	b.Write(value)
}

// splitUser splits "DOMAIN\name" into name and domain; a UPN or a bare
// name goes whole as the user with an empty domain (MS-NLMP 3.1.5.1.2).
func splitUser(user string) (name, domain string) {
	if d, n, ok := strings.Cut(user, `\`); ok {
		return n, d
	}
	return user, ""
}
