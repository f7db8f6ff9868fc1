package kerberos

import (
	"encoding/binary"

	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/asn1tools"
	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/iana/asnAppTag"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/iana/msgtype"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"
)

// Forwarded is a TGT the KDC issued with the FORWARDED flag for the
// client, with the part of the KDC's reply that describes it (its session
// key, flags, times, service): what a client delegates to a server so that
// the server can authenticate onwards as the client (RFC 4121 4.1.1, the
// Deleg field of the GSS checksum).
type Forwarded struct {
	Ticket messages.Ticket
	Reply  messages.EncKDCRepPart
}

// krbCredFields is KRB-CRED as it is encoded (RFC 4120 5.8.1); gokrb5
// reads it but does not write it.
type krbCredFields struct {
	PVNO    int                 `asn1:"explicit,tag:0"`
	MsgType int                 `asn1:"explicit,tag:1"`
	Tickets asn1.RawValue       `asn1:"explicit,tag:2"`
	EncPart types.EncryptedData `asn1:"explicit,tag:3"`
}

// krbCred wraps f in a KRB-CRED for the client cname@realm, encrypted with
// the service ticket's session key, as Windows and MIT clients send it.
func krbCred(f Forwarded, cname types.PrincipalName, realm string, sessionKey types.EncryptionKey) ([]byte, error) {
	info := messages.KrbCredInfo{
		Key: f.Reply.Key, PRealm: realm, PName: cname, Flags: f.Reply.Flags,
		AuthTime: f.Reply.AuthTime, StartTime: f.Reply.StartTime, EndTime: f.Reply.EndTime, RenewTill: f.Reply.RenewTill,
		SRealm: f.Reply.SRealm, SName: f.Reply.SName,
	}
	part, err := asn1.Marshal(messages.EncKrbCredPart{TicketInfo: []messages.KrbCredInfo{info}})
	if err != nil {
		return nil, errorf("KRB-CRED: %v", err)
	}
	part = asn1tools.AddASNAppTag(part, asnAppTag.EncKrbCredPart)
	enc, err := crypto.GetEncryptedData(part, sessionKey, keyusage.KRB_CRED_ENCPART, 0)
	if err != nil {
		return nil, errorf("KRB-CRED: %v", err)
	}
	tickets, err := messages.MarshalTicketSequence([]messages.Ticket{f.Ticket})
	if err != nil {
		return nil, errorf("KRB-CRED: %v", err)
	}
	tickets.Tag = 2
	b, err := asn1.Marshal(krbCredFields{PVNO: 5, MsgType: msgtype.KRB_CRED, Tickets: tickets, EncPart: enc})
	if err != nil {
		return nil, errorf("KRB-CRED: %v", err)
	}
	return asn1tools.AddASNAppTag(b, asnAppTag.KRBCred), nil
}

// delegChecksum is the GSS checksum of RFC 4121 4.1.1 with the delegation
// flag and the KRB-CRED in its Deleg field.
func delegChecksum(flags uint32, cred []byte) ([]byte, error) {
	if len(cred) > 0xffff {
		return nil, errorf("the delegated credentials are %d bytes, more than the checksum holds", len(cred))
	}
	b := make([]byte, 28, 28+len(cred))
	binary.LittleEndian.PutUint32(b, 16)
	binary.LittleEndian.PutUint32(b[20:], flags|ctxDeleg)
	binary.LittleEndian.PutUint16(b[24:], 1) // DlgOpt
	binary.LittleEndian.PutUint16(b[26:], uint16(len(cred)))
	return append(b, cred...), nil
}
