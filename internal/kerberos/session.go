package kerberos

import (
	"bytes"
	"crypto/subtle"
	"encoding/binary"

	"sync"

	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/crypto/etype"
	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/types"
)

// The key usages of sealed wrap tokens (RFC 4121 2).
const (
	usageAcceptorSeal  = 22
	usageInitiatorSeal = 24
)

// The flags of a wrap token (RFC 4121 4.2.2).
const (
	flagSentByAcceptor = 0x01
	flagSealed         = 0x02
	flagAcceptorSubkey = 0x04
)

// rrc is the right rotation count this package writes: the encrypted
// header copy and the checksum rotate into the token header, as with
// Windows and MIT's gss_wrap_iov without a trailer buffer.
const rrc = 28

// tokenHeaderSize is the size of a wrap token's header.
const tokenHeaderSize = 16

// Session is the session security of one established context: it seals
// what its side sends and unseals what the other side sends, each
// direction with its own sequence number. A Session is safe for
// concurrent use, but messages must be unwrapped in the order they were
// sent.
type Session struct {
	key            types.EncryptionKey
	et             etype.EType
	acceptor       bool // this side is the acceptor
	acceptorSubkey bool // key is the acceptor's subkey

	mu               sync.Mutex
	sendSeq, recvSeq uint64
}

// newSession checks that key can seal wrap tokens.
func newSession(key types.EncryptionKey, acceptor, acceptorSubkey bool, sendSeq, recvSeq uint64) (*Session, error) {
	switch key.KeyType {
	case etypeID.AES128_CTS_HMAC_SHA1_96, etypeID.AES256_CTS_HMAC_SHA1_96:
	default:
		return nil, errorf("the session key is of encryption type %d: only AES (17, 18) seals WinRM messages here", key.KeyType)
	}
	et, err := crypto.GetEtype(key.KeyType)
	if err != nil {
		return nil, errorf("encryption type %d: %v", key.KeyType, err)
	}
	return &Session{key: key, et: et, acceptor: acceptor, acceptorSubkey: acceptorSubkey, sendSeq: sendSeq, recvSeq: recvSeq}, nil
}

// HeaderSize is the size of the header Wrap returns.
func (s *Session) HeaderSize() int {
	return tokenHeaderSize + rrc + s.et.GetConfounderByteSize()
}

// Wrap seals message (GSS_Wrap with confidentiality, RFC 4121 4.2.4) and
// returns the token split as WinRM carries it: the header (the token
// header and the rotated trailer and confounder) and the sealed message,
// as long as message.
func (s *Session) Wrap(message []byte) (header, sealed []byte, err error) {
	token, err := s.wrap(message, rrc)
	if err != nil {
		return nil, nil, err
	}
	split := len(token) - len(message)
	return token[:split], token[split:], nil
}

// wrap seals message into one wrap token whose encrypted part is rotated
// right by rotation bytes.
func (s *Session) wrap(message []byte, rotation uint16) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	flags := byte(flagSealed)
	usage := uint32(usageInitiatorSeal)
	if s.acceptor {
		flags |= flagSentByAcceptor
		usage = usageAcceptorSeal
	}
	if s.acceptorSubkey {
		flags |= flagAcceptorSubkey
	}
	hdr := make([]byte, tokenHeaderSize)
	hdr[0], hdr[1], hdr[2], hdr[3] = 0x05, 0x04, flags, 0xff
	binary.BigEndian.PutUint16(hdr[4:], 0) // EC: AES needs no filler
	binary.BigEndian.PutUint64(hdr[8:], s.sendSeq)
	// The encrypted copy of the header has RRC zero (RFC 4121 4.2.5).
	plain := make([]byte, 0, len(message)+tokenHeaderSize)
	plain = append(append(plain, message...), hdr...)
	_, body, err := s.et.EncryptMessage(s.key.KeyValue, plain, usage)
	if err != nil {
		return nil, errorf("seal: %v", err)
	}
	binary.BigEndian.PutUint16(hdr[6:], rotation)
	s.sendSeq++
	return append(hdr, rotateRight(body, int(rotation))...), nil
}

// Unwrap unseals a token of the other side given as WinRM carries it
// (header and sealed message; any split, EC and RRC the sender chose) and
// checks its flags, checksum, header copy and sequence number. After a
// failure the session is out of step and must not be used again.
func (s *Session) Unwrap(header, sealed []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	token := make([]byte, 0, len(header)+len(sealed))
	token = append(append(token, header...), sealed...)
	overhead := tokenHeaderSize + s.et.GetConfounderByteSize() + tokenHeaderSize + s.et.GetHMACBitLength()/8
	if len(token) < overhead {
		return nil, errorf("a wrap token of %d bytes is shorter than its overhead", len(token))
	}
	hdr := token[:tokenHeaderSize]
	if hdr[0] != 0x05 || hdr[1] != 0x04 || hdr[3] != 0xff {
		return nil, errorf("not a wrap token (%x)", hdr[:4])
	}
	flags := hdr[2]
	wantSender := byte(flagSentByAcceptor)
	if s.acceptor {
		wantSender = 0
	}
	if flags&flagSentByAcceptor != wantSender || flags&flagSealed == 0 {
		return nil, errorf("wrap token flags %#x: not sealed by the other side", flags)
	}
	if s.acceptorSubkey && flags&flagAcceptorSubkey == 0 {
		return nil, errorf("wrap token flags %#x: not sealed with the acceptor's subkey", flags)
	}
	ec := int(binary.BigEndian.Uint16(hdr[4:]))
	rotation := int(binary.BigEndian.Uint16(hdr[6:]))
	seq := binary.BigEndian.Uint64(hdr[8:])
	body := rotateLeft(token[tokenHeaderSize:], rotation)
	usage := uint32(usageAcceptorSeal)
	if s.acceptor {
		usage = usageInitiatorSeal
	}
	plain, err := s.et.DecryptMessage(s.key.KeyValue, body, usage)
	if err != nil {
		return nil, errorf("unseal: %v", err)
	}
	if len(plain) < ec+tokenHeaderSize {
		return nil, errorf("the unsealed token is shorter than its filler and header")
	}
	copyOfHeader := plain[len(plain)-tokenHeaderSize:]
	want := bytes.Clone(hdr)
	binary.BigEndian.PutUint16(want[6:], 0)
	if subtle.ConstantTimeCompare(copyOfHeader, want) != 1 {
		return nil, errorf("the sealed copy of the token header does not match it")
	}
	if seq != s.recvSeq {
		return nil, errorf("the token's sequence number is %d, not %d", seq, s.recvSeq)
	}
	s.recvSeq++
	return plain[:len(plain)-tokenHeaderSize-ec], nil
}

// rotateRight rotates b right by n bytes (RFC 4121 4.2.5).
func rotateRight(b []byte, n int) []byte {
	if len(b) == 0 {
		return b
	}
	n %= len(b)
	out := make([]byte, 0, len(b))
	return append(append(out, b[len(b)-n:]...), b[:len(b)-n]...)
}

// rotateLeft undoes rotateRight.
func rotateLeft(b []byte, n int) []byte {
	if len(b) == 0 {
		return b
	}
	n %= len(b)
	out := make([]byte, 0, len(b))
	return append(append(out, b[n:]...), b[:n]...)
}
