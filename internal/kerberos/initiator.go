package kerberos

import (
	"bytes"
	"encoding/binary"
	"time"

	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/iana/chksumtype"
	"github.com/jcmturner/gokrb5/v8/iana/flags"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"
)

// The context flags of the GSS checksum (RFC 4121 4.1.1.1; RFC 2744).
const (
	ctxDeleg    = 1
	ctxMutual   = 2
	ctxReplay   = 4
	ctxSequence = 8
	ctxConf     = 16
	ctxInteg    = 32
)

// Ticket is a service ticket and what the client knows of it, as
// gokrb5's client hands it out.
type Ticket struct {
	Ticket     messages.Ticket
	SessionKey types.EncryptionKey
	CName      types.PrincipalName
	Realm      string
}

// Initiator is the client side of a context whose AP-REQ was built and
// whose AP-REP is awaited.
type Initiator struct {
	sessionKey types.EncryptionKey
	subkey     types.EncryptionKey
	seq        uint64
	ctime      time.Time
	cusec      int
}

// Initiate builds the client's first token for t's service: an SPNEGO
// token carrying an AP-REQ that asks for mutual authentication,
// confidentiality, integrity and sequencing, with a subkey and a sequence
// number of its own. With forwarded, the client delegates that TGT to the
// service (GSS_C_DELEG_FLAG and a KRB-CRED in the checksum).
func Initiate(t Ticket, forwarded *Forwarded) ([]byte, *Initiator, error) {
	krb5Token, i, err := initiate(t, forwarded, nil)
	if err != nil {
		return nil, nil, err
	}
	token, err := initToken(krb5Token)
	if err != nil {
		return nil, nil, err
	}
	return token, i, nil
}

// initiate builds the Kerberos GSS token of an AP-REQ for t's service,
// with the GSS checksum of RFC 4121 4.1.1: the MD5 of the channel
// bindings (zero without them), the context flags, and the delegated TGT
// when forwarded is set.
func initiate(t Ticket, forwarded *Forwarded, bindings []byte) ([]byte, *Initiator, error) {
	auth, err := types.NewAuthenticator(t.Realm, t.CName)
	if err != nil {
		return nil, nil, errorf("authenticator: %v", err)
	}
	et, err := crypto.GetEtype(t.SessionKey.KeyType)
	if err != nil {
		return nil, nil, errorf("session key of encryption type %d: %v", t.SessionKey.KeyType, err)
	}
	if err := auth.GenerateSeqNumberAndSubKey(t.SessionKey.KeyType, et.GetKeyByteSize()); err != nil {
		return nil, nil, errorf("subkey: %v", err)
	}
	const ctxFlags = ctxMutual | ctxSequence | ctxConf | ctxInteg
	checksum := make([]byte, 24)
	binary.LittleEndian.PutUint32(checksum, 16)
	copy(checksum[4:20], bindingsHash(bindings))
	binary.LittleEndian.PutUint32(checksum[20:], ctxFlags)
	if forwarded != nil {
		cred, err := krbCred(*forwarded, t.CName, t.Realm, t.SessionKey)
		if err != nil {
			return nil, nil, err
		}
		if checksum, err = delegChecksum(ctxFlags, cred); err != nil {
			return nil, nil, err
		}
		copy(checksum[4:20], bindingsHash(bindings))
	}
	auth.Cksum = types.Checksum{CksumType: chksumtype.GSSAPI, Checksum: checksum}
	apreq, err := messages.NewAPReq(t.Ticket, t.SessionKey, auth)
	if err != nil {
		return nil, nil, errorf("AP-REQ: %v", err)
	}
	types.SetFlag(&apreq.APOptions, flags.APOptionMutualRequired)
	raw, err := apreq.Marshal()
	if err != nil {
		return nil, nil, errorf("AP-REQ: %v", err)
	}
	return gssToken(tokAPReq, raw), &Initiator{sessionKey: t.SessionKey, subkey: auth.SubKey, seq: uint64(auth.SeqNumber), ctime: auth.CTime, cusec: auth.Cusec}, nil
}

// Complete reads the acceptor's answer (mutual authentication): its AP-REP
// must decrypt with the session key and echo the authenticator's time. It
// returns the session that seals messages with the acceptor's subkey, or
// the client's when the acceptor chose none.
func (i *Initiator) Complete(answer []byte) (*Session, error) {
	e, err := i.established(answer)
	if err != nil {
		return nil, err
	}
	return newSession(e.key, false, e.acceptorSubkey, i.seq, e.recvSeq)
}

// establishment is what the acceptor's AP-REP settles: the key both sides
// protect messages with, whether it is the acceptor's subkey, and the
// acceptor's first sequence number.
type establishment struct {
	key            types.EncryptionKey
	acceptorSubkey bool
	recvSeq        uint64
}

// established verifies the acceptor's answer: an AP-REP (in SPNEGO or
// bare) that decrypts with the session key and echoes the authenticator's
// time.
func (i *Initiator) established(answer []byte) (establishment, error) {
	krb5Token, err := readResp(answer)
	if err != nil {
		return establishment{}, err
	}
	tokID, message, err := parseGSSToken(krb5Token)
	if err != nil {
		return establishment{}, err
	}
	switch {
	case bytes.Equal(tokID, tokKRBError):
		var kerr messages.KRBError
		if err := kerr.Unmarshal(message); err != nil {
			return establishment{}, errorf("the server answered with a KRB-ERROR that does not parse: %v", err)
		}
		return establishment{}, errorf("the server refused the ticket: %s", kerr.Error())
	case !bytes.Equal(tokID, tokAPRep):
		return establishment{}, errorf("the server's token is not an AP-REP (token id %x)", tokID)
	}
	var rep messages.APRep
	if err := rep.Unmarshal(message); err != nil {
		return establishment{}, errorf("AP-REP: %v", err)
	}
	plain, err := crypto.DecryptEncPart(rep.EncPart, i.sessionKey, keyusage.AP_REP_ENCPART)
	if err != nil {
		return establishment{}, errorf("the AP-REP does not decrypt with the session key: %v", err)
	}
	var part messages.EncAPRepPart
	if err := part.Unmarshal(plain); err != nil {
		return establishment{}, errorf("AP-REP: %v", err)
	}
	if !part.CTime.Equal(i.ctime.Truncate(time.Second)) || part.Cusec != i.cusec {
		return establishment{}, errorf("the AP-REP does not echo the authenticator's time")
	}
	e := establishment{key: i.subkey, recvSeq: uint64(part.SequenceNumber)}
	if len(part.Subkey.KeyValue) > 0 {
		e.key, e.acceptorSubkey = part.Subkey, true
	}
	return e, nil
}
