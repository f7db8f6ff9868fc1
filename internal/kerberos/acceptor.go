package kerberos

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"math/big"
	"strings"
	"time"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/asn1tools"
	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/iana/asnAppTag"
	"github.com/jcmturner/gokrb5/v8/iana/chksumtype"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/iana/msgtype"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/service"
	"github.com/jcmturner/gokrb5/v8/types"
)

// Accepted is a client's verified first token.
type Accepted struct {
	// User is the client's principal, name@REALM.
	User string
	// Delegated is set when the client forwarded a TGT in its checksum
	// (GSS_C_DELEG_FLAG with a KRB-CRED that decrypts and holds a ticket
	// of the krbtgt service): the session can authenticate onwards.
	Delegated bool
	// Answer is the token to return: the AP-REP, in SPNEGO when the client
	// used SPNEGO.
	Answer []byte
	// Session seals and unseals the context's messages, with the subkey
	// the acceptor chose.
	Session *Session
}

// Accept verifies a client's first token (an SPNEGO NegTokenInit carrying
// an AP-REQ, or the bare Kerberos token) with the service keys of kt: the
// ticket must decrypt, the authenticator must be fresh and not replayed,
// and the client must ask for mutual authentication, since WinRM's message
// encryption needs the acceptor's answer. The answer is an AP-REP with a
// subkey and a sequence number of the acceptor's.
func Accept(token []byte, kt *keytab.Keytab, maxSkew time.Duration) (*Accepted, error) {
	n, err := readInit(token)
	if err != nil {
		return nil, err
	}
	tokID, message, err := parseGSSToken(n.krb5Token)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(tokID, tokAPReq) {
		return nil, errorf("the Kerberos token is not an AP-REQ (token id %x)", tokID)
	}
	var apreq messages.APReq
	if err := apreq.Unmarshal(message); err != nil {
		return nil, errorf("AP-REQ: %v", err)
	}
	ok, creds, err := service.VerifyAPREQ(&apreq, service.NewSettings(kt, service.DecodePAC(false), service.MaxClockSkew(maxSkew)))
	if err != nil || !ok {
		return nil, errorf("the AP-REQ does not verify: %v", err)
	}
	auth := apreq.Authenticator
	sessionKey := apreq.Ticket.DecryptedEncPart.Key
	gssFlags, deleg, err := gssChecksum(auth.Cksum)
	if err != nil {
		return nil, err
	}
	if gssFlags&ctxMutual == 0 {
		return nil, errorf("the client did not ask for mutual authentication")
	}
	out := &Accepted{User: creds.UserName() + "@" + creds.Domain()}
	if gssFlags&ctxDeleg != 0 && deleg != nil {
		out.Delegated = forwardsTGT(deleg, sessionKey, auth.SubKey)
	}

	// The acceptor's subkey and sequence number, in an AP-REP under the
	// ticket's session key (RFC 4120 5.5.2).
	et, err := crypto.GetEtype(sessionKey.KeyType)
	if err != nil {
		return nil, errorf("session key of encryption type %d: %v", sessionKey.KeyType, err)
	}
	subkey := types.EncryptionKey{KeyType: sessionKey.KeyType, KeyValue: make([]byte, et.GetKeyByteSize())}
	if _, err := rand.Read(subkey.KeyValue); err != nil {
		return nil, errorf("subkey: %v", err)
	}
	seqBig, err := rand.Int(rand.Reader, big.NewInt(1<<30))
	if err != nil {
		return nil, errorf("sequence number: %v", err)
	}
	seq := seqBig.Int64()
	rep, err := apRep(sessionKey, messages.EncAPRepPart{CTime: auth.CTime, Cusec: auth.Cusec, Subkey: subkey, SequenceNumber: seq})
	if err != nil {
		return nil, err
	}
	if out.Answer, err = respToken(n, gssToken(tokAPRep, rep)); err != nil {
		return nil, err
	}
	authSeq := uint64(auth.SeqNumber)
	if out.Session, err = newSession(subkey, true, true, uint64(seq), authSeq); err != nil {
		return nil, err
	}
	return out, nil
}

// gssChecksum reads the authenticator checksum of RFC 4121 4.1.1: the
// context flags and, with GSS_C_DELEG_FLAG, the KRB-CRED it carries.
func gssChecksum(c types.Checksum) (flags uint32, deleg []byte, err error) {
	if c.CksumType != chksumtype.GSSAPI || len(c.Checksum) < 24 {
		return 0, nil, errorf("the authenticator has no GSS checksum")
	}
	b := c.Checksum
	if binary.LittleEndian.Uint32(b) != 16 {
		return 0, nil, errorf("the GSS checksum's channel binding length is not 16")
	}
	flags = binary.LittleEndian.Uint32(b[20:])
	if flags&ctxDeleg != 0 && len(b) >= 28 && binary.LittleEndian.Uint16(b[24:]) == 1 {
		n := int(binary.LittleEndian.Uint16(b[26:]))
		if n > len(b)-28 {
			return 0, nil, errorf("the delegated credentials run past the checksum")
		}
		deleg = b[28 : 28+n]
	}
	return flags, deleg, nil
}

// forwardsTGT reports whether a KRB-CRED decrypts (with the session key,
// the client's subkey, or not encrypted at all, as clients differ) and
// holds a ticket of the krbtgt service.
func forwardsTGT(raw []byte, keys ...types.EncryptionKey) bool {
	var cred messages.KRBCred
	if err := cred.Unmarshal(raw); err != nil || len(cred.Tickets) == 0 {
		return false
	}
	decrypted := false
	if cred.EncPart.EType == 0 {
		var part messages.EncKrbCredPart
		decrypted = part.Unmarshal(cred.EncPart.Cipher) == nil
		cred.DecryptedEncPart = part
	}
	for _, k := range keys {
		if decrypted || len(k.KeyValue) == 0 {
			continue
		}
		decrypted = cred.DecryptEncPart(k) == nil
	}
	if !decrypted {
		return false
	}
	for _, t := range cred.Tickets {
		if len(t.SName.NameString) > 0 && strings.EqualFold(t.SName.NameString[0], "krbtgt") {
			return true
		}
	}
	return false
}

// apRep marshals an AP-REP whose encrypted part is part, under key.
func apRep(key types.EncryptionKey, part messages.EncAPRepPart) ([]byte, error) {
	plain, err := asn1.Marshal(part)
	if err != nil {
		return nil, errorf("AP-REP: %v", err)
	}
	plain = asn1tools.AddASNAppTag(plain, asnAppTag.EncAPRepPart)
	enc, err := crypto.GetEncryptedData(plain, key, keyusage.AP_REP_ENCPART, 0)
	if err != nil {
		return nil, errorf("AP-REP: %v", err)
	}
	rep, err := asn1.Marshal(messages.APRep{PVNO: 5, MsgType: msgtype.KRB_AP_REP, EncPart: enc})
	if err != nil {
		return nil, errorf("AP-REP: %v", err)
	}
	return asn1tools.AddASNAppTag(rep, asnAppTag.APREP), nil
}
