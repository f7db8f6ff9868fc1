package kerberos

import (
	"crypto/hmac"
	"encoding/binary"
	"strings"

	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/crypto/etype"
	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/types"
)

// The security layers of SASL's GSSAPI mechanism (RFC 4752 3.3), as bits
// of the first octet of the server's offer and of the client's choice.
const (
	LayerNone            byte = 1
	LayerIntegrity       byte = 2
	LayerConfidentiality byte = 4
)

// InitiateSASL builds the client's first token of SASL's GSSAPI mechanism
// (RFC 4752 3.1), which LDAP binds with: the bare Kerberos GSS token of an
// AP-REQ for t's service (no SPNEGO) that asks for mutual authentication,
// with a subkey and a sequence number of its own. With bindings (the
// application data of channel bindings, such as TLSServerEndPoint's), the
// authentication is bound to that TLS connection: the checksum carries the
// bindings' hash, which an acceptor that knows the connection checks.
func InitiateSASL(t Ticket, bindings []byte) ([]byte, *Initiator, error) {
	return initiate(t, nil, bindings)
}

// SASL is the client's side of SASL's GSSAPI mechanism once the Kerberos
// context is established: it reads the server's offer of security layers
// and answers with the client's choice, each a wrap token without
// confidentiality (RFC 4121 4.2.4).
type SASL struct {
	key            types.EncryptionKey
	et             etype.EType
	acceptorSubkey bool
	sendSeq        uint64
	recvSeq        uint64
	// layer and maxOut are what Choose settled.
	layer  byte
	maxOut uint32
}

// CompleteSASL reads the acceptor's answer to InitiateSASL's token: its
// AP-REP must decrypt with the session key and echo the authenticator's
// time (mutual authentication).
func (i *Initiator) CompleteSASL(answer []byte) (*SASL, error) {
	e, err := i.established(answer)
	if err != nil {
		return nil, err
	}
	switch e.key.KeyType {
	case etypeID.AES128_CTS_HMAC_SHA1_96, etypeID.AES256_CTS_HMAC_SHA1_96:
	default:
		return nil, errorf("the session key is of encryption type %d: only AES (17, 18) is supported", e.key.KeyType)
	}
	et, err := crypto.GetEtype(e.key.KeyType)
	if err != nil {
		return nil, errorf("encryption type %d: %v", e.key.KeyType, err)
	}
	return &SASL{key: e.key, et: et, acceptorSubkey: e.acceptorSubkey, sendSeq: i.seq, recvSeq: e.recvSeq}, nil
}

// minBuffer is the smallest buffer a server must take under a layer: a
// wrap token's overhead and some room for a message.
const minBuffer = 256

// Offer is what a server's last token of the exchange offers: the security
// layers it supports, and the largest message it takes in one.
type Offer struct {
	Layers  byte
	MaxSize uint32
}

// ReadOffer reads the server's offer (RFC 4752 3.1): a wrap token without
// confidentiality sent by the acceptor, whose checksum verifies with the
// context's key, whose sequence number is the acceptor's next, and whose
// payload is four octets. A server that advertises no layer must advertise
// a maximum size of zero.
func (s *SASL) ReadOffer(token []byte) (Offer, error) {
	payload, err := s.unwrap(token)
	if err != nil {
		return Offer{}, err
	}
	if len(payload) != 4 {
		return Offer{}, errorf("the server's offer of security layers is %d octets, not 4", len(payload))
	}
	o := Offer{Layers: payload[0], MaxSize: uint32(payload[1])<<16 | uint32(payload[2])<<8 | uint32(payload[3])}
	if o.Layers == 0 {
		return Offer{}, errorf("the server offers no security layer at all")
	}
	if o.Layers&(LayerIntegrity|LayerConfidentiality) == 0 && o.MaxSize != 0 {
		return Offer{}, errorf("the server offers no integrity or confidentiality layer but a buffer of %d octets", o.MaxSize)
	}
	return o, nil
}

// Choose answers the server's offer with the client's choice (RFC 4752
// 3.1): layer (LayerNone, LayerIntegrity or LayerConfidentiality), the
// largest buffer the client takes in one wrap token (zero without a
// layer), and the authorization identity (empty: the authenticated user
// itself), wrapped without confidentiality. It fails when the offer does
// not include layer. After it, Layer protects the messages of the
// connection.
func (s *SASL) Choose(o Offer, layer byte, maxIn uint32, authzid string) ([]byte, error) {
	switch layer {
	case LayerNone:
		maxIn = 0
	case LayerIntegrity, LayerConfidentiality:
		if maxIn == 0 || maxIn > 0xffffff {
			return nil, errorf("a receive buffer of %d octets cannot be offered (1 to 16777215)", maxIn)
		}
	default:
		return nil, errorf("%#x is not one security layer", layer)
	}
	if o.Layers&layer == 0 {
		return nil, errorf("the server does not offer the security layer %s (it offers %s)", layerNames(layer), layerNames(o.Layers))
	}
	if layer != LayerNone && o.MaxSize < minBuffer {
		return nil, errorf("the server takes buffers of %d octets under a security layer, fewer than a wrapped message needs", o.MaxSize)
	}
	payload := make([]byte, 4, 4+len(authzid))
	payload[0] = layer
	payload[1], payload[2], payload[3] = byte(maxIn>>16), byte(maxIn>>8), byte(maxIn)
	token, err := s.wrap(append(payload, authzid...))
	if err != nil {
		return nil, err
	}
	s.layer, s.maxOut = layer, o.MaxSize
	return token, nil
}

// layerNames names the layers of a bit mask.
func layerNames(mask byte) string {
	var names []string
	for _, l := range []struct {
		bit  byte
		name string
	}{{LayerNone, "none"}, {LayerIntegrity, "integrity"}, {LayerConfidentiality, "confidentiality"}} {
		if mask&l.bit != 0 {
			names = append(names, l.name)
		}
	}
	if len(names) == 0 {
		return "nothing"
	}
	return strings.Join(names, ", ")
}

// Layer is the security layer SASL negotiated: each buffer of the
// connection travels as one wrap token.
type Layer interface {
	// Wrap protects one buffer of at most MaxOut octets once wrapped.
	Wrap(p []byte) ([]byte, error)
	// Unwrap verifies (and decrypts) one token of the server.
	Unwrap(token []byte) ([]byte, error)
	// MaxOut is the largest token the server takes.
	MaxOut() int
	// Overhead is what wrapping adds to a buffer, at most.
	Overhead() int
}

// Layer returns the security layer Choose chose, or nil for none. The
// tokens continue the sequence numbers of the negotiation.
func (s *SASL) Layer() (Layer, error) {
	switch s.layer {
	case LayerIntegrity:
		return integrityLayer{s}, nil
	case LayerConfidentiality:
		sess, err := newSession(s.key, false, s.acceptorSubkey, s.sendSeq, s.recvSeq)
		if err != nil {
			return nil, err
		}
		return confidentialityLayer{s: sess, maxOut: int(s.maxOut)}, nil
	}
	return nil, nil
}

type integrityLayer struct{ s *SASL }

func (l integrityLayer) Wrap(p []byte) ([]byte, error)       { return l.s.wrap(p) }
func (l integrityLayer) Unwrap(token []byte) ([]byte, error) { return l.s.unwrap(token) }
func (l integrityLayer) MaxOut() int                         { return int(l.s.maxOut) }
func (l integrityLayer) Overhead() int                       { return tokenHeaderSize + l.s.checksumSize() }

type confidentialityLayer struct {
	s      *Session
	maxOut int
}

// Wrap seals p into one token with RRC 0 (the encrypted header copy and
// checksum at its end), the form MIT's gss_wrap writes for SASL.
func (l confidentialityLayer) Wrap(p []byte) ([]byte, error) { return l.s.wrap(p, 0) }
func (l confidentialityLayer) Unwrap(token []byte) ([]byte, error) {
	if len(token) < tokenHeaderSize {
		return nil, errorf("a wrap token of %d bytes is shorter than its header", len(token))
	}
	return l.s.Unwrap(token[:tokenHeaderSize], token[tokenHeaderSize:])
}
func (l confidentialityLayer) MaxOut() int { return l.maxOut }
func (l confidentialityLayer) Overhead() int {
	return 2*tokenHeaderSize + l.s.et.GetConfounderByteSize() + l.s.et.GetHMACBitLength()/8
}

// checksumSize is the length of the token's checksum for the key's
// encryption type.
func (s *SASL) checksumSize() int { return s.et.GetHMACBitLength() / 8 }

// wrap builds a wrap token without confidentiality (RFC 4121 4.2.4): the
// header (EC the checksum's length, RRC 0), the payload, and the checksum
// over the payload and the header with EC and RRC zero.
func (s *SASL) wrap(payload []byte) ([]byte, error) {
	flags := byte(0)
	if s.acceptorSubkey {
		flags |= flagAcceptorSubkey
	}
	hdr := wrapHeader(flags, s.sendSeq)
	sum, err := s.checksum(payload, hdr, usageInitiatorSeal)
	if err != nil {
		return nil, err
	}
	binary.BigEndian.PutUint16(hdr[4:], uint16(len(sum)))
	s.sendSeq++
	out := make([]byte, 0, len(hdr)+len(payload)+len(sum))
	return append(append(append(out, hdr...), payload...), sum...), nil
}

// unwrap reads a wrap token without confidentiality from the acceptor.
func (s *SASL) unwrap(token []byte) ([]byte, error) {
	if len(token) < tokenHeaderSize {
		return nil, errorf("a wrap token of %d bytes is shorter than its header", len(token))
	}
	hdr := token[:tokenHeaderSize]
	if hdr[0] != 0x05 || hdr[1] != 0x04 || hdr[3] != 0xff {
		return nil, errorf("not a wrap token (%x)", hdr[:4])
	}
	flags := hdr[2]
	switch {
	case flags&flagSentByAcceptor == 0:
		return nil, errorf("wrap token flags %#x: not sent by the server", flags)
	case flags&flagSealed != 0:
		return nil, errorf("wrap token flags %#x: sealed, where SASL's negotiation is signed only", flags)
	case s.acceptorSubkey && flags&flagAcceptorSubkey == 0:
		return nil, errorf("wrap token flags %#x: not protected with the acceptor's subkey", flags)
	}
	ec := int(binary.BigEndian.Uint16(hdr[4:]))
	if ec != s.checksumSize() {
		return nil, errorf("a wrap token with a checksum of %d octets, not %d", ec, s.checksumSize())
	}
	body := rotateLeft(token[tokenHeaderSize:], int(binary.BigEndian.Uint16(hdr[6:])))
	if len(body) < ec {
		return nil, errorf("a wrap token shorter than its checksum")
	}
	payload, got := body[:len(body)-ec], body[len(body)-ec:]
	want, err := s.checksum(payload, wrapHeader(flags, binary.BigEndian.Uint64(hdr[8:])), usageAcceptorSeal)
	if err != nil {
		return nil, err
	}
	if !hmac.Equal(got, want) {
		return nil, errorf("the wrap token's checksum does not verify")
	}
	if seq := binary.BigEndian.Uint64(hdr[8:]); seq != s.recvSeq {
		return nil, errorf("the wrap token's sequence number is %d, not %d", seq, s.recvSeq)
	}
	s.recvSeq++
	return payload, nil
}

// checksum is the keyed checksum of a wrap token without confidentiality:
// over the payload, then the header with EC and RRC zero.
func (s *SASL) checksum(payload, hdr []byte, usage uint32) ([]byte, error) {
	data := make([]byte, 0, len(payload)+len(hdr))
	data = append(append(data, payload...), hdr...)
	sum, err := s.et.GetChecksumHash(s.key.KeyValue, data, usage)
	if err != nil {
		return nil, errorf("checksum: %v", err)
	}
	return sum, nil
}

// wrapHeader is a wrap token's header with EC and RRC zero.
func wrapHeader(flags byte, seq uint64) []byte {
	hdr := make([]byte, tokenHeaderSize)
	hdr[0], hdr[1], hdr[2], hdr[3] = 0x05, 0x04, flags, 0xff
	binary.BigEndian.PutUint64(hdr[8:], seq)
	return hdr
}
