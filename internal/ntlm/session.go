package ntlm

import (
	"crypto/hmac"
	"crypto/rc4"
	"encoding/binary"
	"sync"
)

// SignatureSize is the size of a message signature with extended session
// security (MS-NLMP 2.2.2.9.2): version, checksum, sequence number.
const SignatureSize = 16

// Side says which end of a session a Session is.
type Side int

// The two ends of a session.
const (
	ClientSide Side = iota
	ServerSide
)

// Session is the session security of one authenticated connection (MS-NLMP
// 3.4): it seals and signs what its side sends and unseals and verifies
// what the other side sends. Each direction has its own RC4 stream and
// sequence number, so messages must be wrapped and unwrapped in the order
// they travel. A Session is safe for concurrent use.
type Session struct {
	flags Flags

	mu                 sync.Mutex
	sendSign, recvSign []byte
	sendSeal, recvSeal *rc4.Cipher
	sendSeq, recvSeq   uint32
}

// NewSession derives the session security of side from the negotiated
// flags and the exported session key. It refuses flags without extended
// session security, signing and sealing: the only session security WinRM
// message encryption uses.
func NewSession(flags Flags, exportedKey []byte, side Side) (*Session, error) {
	if !flags.Has(FlagExtendedSecurity | FlagSign | FlagSeal) {
		return nil, errorf("the session neither signs nor seals with extended session security (flags %#08x)", uint32(flags))
	}
	if len(exportedKey) != 16 {
		return nil, errorf("the session key has %d bytes, not 16", len(exportedKey))
	}
	signOut, signIn := clientSigning, serverSigning
	sealOut, sealIn := clientSealing, serverSealing
	if side == ServerSide {
		signOut, signIn, sealOut, sealIn = signIn, signOut, sealIn, sealOut
	}
	s := &Session{flags: flags, sendSign: signKey(exportedKey, signOut), recvSign: signKey(exportedKey, signIn)}
	var err error
	if s.sendSeal, err = rc4.NewCipher(sealKey(flags, exportedKey, sealOut)); err != nil {
		return nil, err
	}
	if s.recvSeal, err = rc4.NewCipher(sealKey(flags, exportedKey, sealIn)); err != nil {
		return nil, err
	}
	return s, nil
}

// Flags returns the negotiated flags.
func (s *Session) Flags() Flags { return s.flags }

// Wrap seals message and signs it (GSS_WrapEx, MS-NLMP 3.4.6): it returns
// the sealed message and its signature.
func (s *Session) Wrap(message []byte) (sealed, signature []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sealed = make([]byte, len(message))
	s.sendSeal.XORKeyStream(sealed, message)
	signature = s.signature(s.sendSign, s.sendSeal, s.sendSeq, message)
	s.sendSeq++
	return sealed, signature
}

// Unwrap unseals a message of the other side and verifies its signature
// and sequence number (GSS_UnwrapEx, MS-NLMP 3.4.7). After a failure the
// session is out of step with the other side and must not be used again.
func (s *Session) Unwrap(sealed, signature []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(signature) != SignatureSize {
		return nil, errorf("the signature has %d bytes, not %d", len(signature), SignatureSize)
	}
	message := make([]byte, len(sealed))
	s.recvSeal.XORKeyStream(message, sealed)
	want := s.signature(s.recvSign, s.recvSeal, s.recvSeq, message)
	if !hmac.Equal(want[:12], signature[:12]) {
		return nil, errorf("the message's signature does not verify")
	}
	if got := binary.LittleEndian.Uint32(signature[12:]); got != s.recvSeq {
		return nil, errorf("the message's sequence number is %d, not %d", got, s.recvSeq)
	}
	s.recvSeq++
	return message, nil
}

// signature is MAC with extended session security (MS-NLMP 3.4.4.2): the
// first eight bytes of HMAC-MD5 over the sequence number and the message,
// RC4-encrypted with the direction's sealing stream under key exchange.
func (s *Session) signature(key []byte, seal *rc4.Cipher, seq uint32, message []byte) []byte {
	var seqBytes [4]byte
	binary.LittleEndian.PutUint32(seqBytes[:], seq)
	checksum := hmacMD5(key, seqBytes[:], message)[:8]
	if s.flags.Has(FlagKeyExchange) {
		seal.XORKeyStream(checksum, checksum)
	}
	sig := make([]byte, SignatureSize)
	binary.LittleEndian.PutUint32(sig, 1)
	copy(sig[4:12], checksum)
	copy(sig[12:], seqBytes[:])
	return sig
}
