package ntlm

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rc4"
	"encoding/binary"
	"strings"
	"time"
	"unicode/utf16"

	"golang.org/x/crypto/md4"
)

// The magic constants of the key derivation (MS-NLMP 3.4.5.2, 3.4.5.3),
// each with its terminating NUL.
var (
	clientSigning = []byte("session key to client-to-server signing key magic constant\x00")
	serverSigning = []byte("session key to server-to-client signing key magic constant\x00")
	clientSealing = []byte("session key to client-to-server sealing key magic constant\x00")
	serverSealing = []byte("session key to server-to-client sealing key magic constant\x00")
)

// NTOWFv2 is the NTLMv2 one-way function of a password (MS-NLMP 3.3.2):
// HMAC-MD5 keyed with the MD4 of the password, over the upper-cased user
// name and the domain as given.
func NTOWFv2(password, user, domain string) []byte {
	h := md4.New()
	h.Write(utf16le(password))
	return hmacMD5(h.Sum(nil), utf16le(strings.ToUpper(user)+domain))
}

// NTProof is the NTProofStr of an NTLMv2 response: HMAC-MD5 keyed with
// NTOWFv2 over the server challenge and the client's blob (the response
// after its first 16 bytes).
func NTProof(ntowf []byte, serverChallenge [8]byte, blob []byte) []byte {
	return hmacMD5(ntowf, serverChallenge[:], blob)
}

// SessionBaseKey is the NTLMv2 session base key (MS-NLMP 3.3.2), which is
// also the key exchange key of NTLMv2 (3.4.5.1).
func SessionBaseKey(ntowf, ntProof []byte) []byte {
	return hmacMD5(ntowf, ntProof)
}

// ExportedSessionKey is the key both sides derive the session's keys from:
// with key exchange, the client's random key, sent RC4-encrypted under the
// key exchange key; without, the key exchange key itself.
func ExportedSessionKey(flags Flags, keyExchangeKey, encryptedRandomKey []byte) ([]byte, error) {
	if !flags.Has(FlagKeyExchange) {
		return keyExchangeKey, nil
	}
	if len(encryptedRandomKey) != 16 {
		return nil, errorf("the encrypted session key has %d bytes, not 16", len(encryptedRandomKey))
	}
	return rc4Once(keyExchangeKey, encryptedRandomKey)
}

// MIC is the message integrity code over the three messages of a handshake
// (MS-NLMP 3.1.5.1.2), computed with the AUTHENTICATE message's MIC field
// zeroed.
func MIC(exportedKey, negotiate, challenge, authenticate []byte) []byte {
	return hmacMD5(exportedKey, negotiate, challenge, authenticate)
}

// signKey and sealKey derive a direction's keys (MS-NLMP 3.4.5.2 and
// 3.4.5.3, extended session security).
func signKey(exported, magic []byte) []byte {
	h := md5.New()
	h.Write(exported)
	h.Write(magic)
	return h.Sum(nil)
}

func sealKey(flags Flags, exported, magic []byte) []byte {
	key := exported
	switch {
	case flags.Has(Flag128):
	case flags.Has(Flag56):
		key = exported[:7]
	default:
		key = exported[:5]
	}
	h := md5.New()
	h.Write(key)
	h.Write(magic)
	return h.Sum(nil)
}

func hmacMD5(key []byte, data ...[]byte) []byte {
	m := hmac.New(md5.New, key)
	for _, d := range data {
		m.Write(d)
	}
	return m.Sum(nil)
}

// rc4Once encrypts data with a fresh RC4 stream of key.
func rc4Once(key, data []byte) ([]byte, error) {
	c, err := rc4.NewCipher(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(data))
	c.XORKeyStream(out, data)
	return out, nil
}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, r := range u {
		binary.LittleEndian.PutUint16(b[2*i:], r)
	}
	return b
}

// fromUTF16le decodes a little-endian UTF-16 string.
func fromUTF16le(b []byte) (string, error) {
	if len(b)%2 != 0 {
		return "", errorf("odd-length Unicode string")
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u)), nil
}

// fileTime is the current time as a Windows FILETIME (100 ns since 1601).
func fileTime() uint64 {
	return uint64(time.Now().UnixNano()/100) + 116444736000000000
}
