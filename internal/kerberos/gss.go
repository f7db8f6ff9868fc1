package kerberos

import (
	"github.com/jcmturner/gofork/encoding/asn1"
	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/spnego"
)

// The token ids of RFC 1964 1.1 inside a Kerberos GSS token.
var (
	tokAPReq    = []byte{0x01, 0x00}
	tokAPRep    = []byte{0x02, 0x00}
	tokKRBError = []byte{0x03, 0x00}
)

// The mechanisms: Kerberos 5, the OID older Windows clients name it by,
// and SPNEGO.
var (
	oidKRB5   = gssapi.OIDKRB5.OID()
	oidMSKRB5 = gssapi.OIDMSLegacyKRB5.OID()
)

// gssToken frames a Kerberos message as a GSS token (RFC 2743 3.1): the
// application tag 0, the mechanism OID, the token id, the message.
func gssToken(tokID, message []byte) []byte {
	oid, _ := asn1.Marshal(oidKRB5)
	inner := make([]byte, 0, len(oid)+len(tokID)+len(message))
	inner = append(append(append(inner, oid...), tokID...), message...)
	b, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassApplication, Tag: 0, IsCompound: true, Bytes: inner})
	return b
}

// parseGSSToken reads a Kerberos GSS token and returns its token id and
// message.
func parseGSSToken(b []byte) (tokID, message []byte, err error) {
	var outer asn1.RawValue
	rest, err := asn1.Unmarshal(b, &outer)
	if err != nil || len(rest) != 0 || outer.Class != asn1.ClassApplication || outer.Tag != 0 {
		return nil, nil, errorf("not a GSS token")
	}
	var oid asn1.ObjectIdentifier
	inner, err := asn1.Unmarshal(outer.Bytes, &oid)
	if err != nil {
		return nil, nil, errorf("a GSS token without a mechanism: %v", err)
	}
	if !oid.Equal(oidKRB5) && !oid.Equal(oidMSKRB5) {
		return nil, nil, errorf("a GSS token of mechanism %v, not Kerberos", oid)
	}
	if len(inner) < 2 {
		return nil, nil, errorf("a Kerberos GSS token without a token id")
	}
	return inner[:2], inner[2:], nil
}

// initToken wraps a Kerberos AP-REQ token in an SPNEGO NegTokenInit that
// offers Kerberos under both of its OIDs, as Windows clients do.
func initToken(krb5Token []byte) ([]byte, error) {
	t := spnego.SPNEGOToken{Init: true, NegTokenInit: spnego.NegTokenInit{
		MechTypes:      []asn1.ObjectIdentifier{oidMSKRB5, oidKRB5},
		MechTokenBytes: krb5Token,
	}}
	b, err := t.Marshal()
	if err != nil {
		return nil, errorf("SPNEGO token: %v", err)
	}
	return b, nil
}

// negotiated is a client's first token as the acceptor reads it.
type negotiated struct {
	krb5Token []byte
	// spnego is set when the token came in SPNEGO; mech is then the
	// Kerberos OID the client offered first.
	spnego bool
	mech   asn1.ObjectIdentifier
}

// readInit reads a client's first token: an SPNEGO NegTokenInit whose
// optimistic token is Kerberos, or a bare Kerberos GSS token (what MIT's
// and pykerberos' clients send under the Negotiate scheme).
func readInit(b []byte) (negotiated, error) {
	if _, _, err := parseGSSToken(b); err == nil {
		return negotiated{krb5Token: b, mech: oidKRB5}, nil
	}
	var t spnego.SPNEGOToken
	if err := t.Unmarshal(b); err != nil || !t.Init {
		return negotiated{}, errorf("neither a Kerberos nor an SPNEGO token")
	}
	init := t.NegTokenInit
	if len(init.MechTypes) == 0 || (!init.MechTypes[0].Equal(oidKRB5) && !init.MechTypes[0].Equal(oidMSKRB5)) {
		return negotiated{}, errorf("the SPNEGO token does not offer Kerberos first")
	}
	if len(init.MechTokenBytes) == 0 {
		return negotiated{}, errorf("the SPNEGO token carries no Kerberos token")
	}
	return negotiated{krb5Token: init.MechTokenBytes, spnego: true, mech: init.MechTypes[0]}, nil
}

// respToken answers in the form the client used: a NegTokenResp that
// completes the negotiation, or the bare Kerberos token.
func respToken(n negotiated, krb5Token []byte) ([]byte, error) {
	if !n.spnego {
		return krb5Token, nil
	}
	t := spnego.NegTokenResp{NegState: asn1.Enumerated(spnego.NegStateAcceptCompleted), SupportedMech: n.mech, ResponseToken: krb5Token}
	b, err := t.Marshal()
	if err != nil {
		return nil, errorf("SPNEGO answer: %v", err)
	}
	return b, nil
}

// readResp reads the acceptor's answer: a NegTokenResp carrying the
// Kerberos token, or the bare Kerberos token.
func readResp(b []byte) ([]byte, error) {
	if len(b) > 0 && b[0] == 0x60 {
		return b, nil
	}
	var t spnego.NegTokenResp
	if err := t.Unmarshal(b); err != nil {
		return nil, errorf("neither a Kerberos token nor an SPNEGO answer: %v", err)
	}
	if t.State() != spnego.NegStateAcceptCompleted {
		return nil, errorf("the server did not complete the SPNEGO negotiation (state %d)", t.State())
	}
	if !t.SupportedMech.Equal(oidKRB5) && !t.SupportedMech.Equal(oidMSKRB5) {
		return nil, errorf("the server chose mechanism %v, not Kerberos", t.SupportedMech)
	}
	if len(t.ResponseToken) == 0 {
		return nil, errorf("the server's answer carries no Kerberos token")
	}
	return t.ResponseToken, nil
}
