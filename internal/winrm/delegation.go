package winrm

import (
	"fmt"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/iana/flags"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/iana/nametype"
	"github.com/jcmturner/gokrb5/v8/iana/patype"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/rectifyhq/rectify/internal/kerberos"
)

// forward asks the KDC for a forwarded copy of the user's TGT (a TGS-REQ
// for krbtgt/REALM with FORWARDED), for the host to act onwards as the
// user. The TGT comes from the credential cache, or from an AS exchange
// asking for a forwardable one.
func (t *tickets) forward(cl *client.Client) (*kerberos.Forwarded, error) {
	realm := cl.Credentials.Domain()
	cname := cl.Credentials.CName()
	krbtgt := types.NewPrincipalName(nametype.KRB_NT_SRV_INST, "krbtgt/"+realm)
	tgt, key, err := t.forwardableTGT(cl, realm, krbtgt)
	if err != nil {
		return nil, err
	}
	req, err := messages.NewTGSReq(cname, realm, cl.Config, tgt, key, krbtgt, false)
	if err != nil {
		return nil, &ticketError{Err: fmt.Errorf("forwarded TGT: %w", err)}
	}
	types.SetFlag(&req.ReqBody.KDCOptions, flags.Forwardable)
	types.SetFlag(&req.ReqBody.KDCOptions, flags.Forwarded)
	// The options changed: the authenticator's checksum over the request
	// body must be computed again.
	if err := tgsAuthenticator(&req, tgt, key); err != nil {
		return nil, &ticketError{Err: fmt.Errorf("forwarded TGT: %w", err)}
	}
	_, rep, err := cl.TGSExchange(req, realm, tgt, key, 0)
	if err != nil {
		return nil, classifyKDC(fmt.Errorf("forwarded TGT: %w", err))
	}
	if !types.IsFlagSet(&rep.DecryptedEncPart.Flags, flags.Forwarded) {
		return nil, &ticketError{Err: fmt.Errorf("the KDC issued no forwarded TGT for %s (is the account allowed to delegate?)", cl.Credentials.UserName())}
	}
	return &kerberos.Forwarded{Ticket: rep.Ticket, Reply: rep.DecryptedEncPart}, nil
}

// forwardableTGT returns a TGT with the FORWARDABLE flag and its session
// key.
func (t *tickets) forwardableTGT(cl *client.Client, realm string, krbtgt types.PrincipalName) (messages.Ticket, types.EncryptionKey, error) {
	if cache := t.cache; cache != nil {
		cred, ok := cache.GetEntry(krbtgt)
		if !ok {
			return messages.Ticket{}, types.EncryptionKey{}, &ticketError{Err: fmt.Errorf("the credential cache holds no TGT for %s", realm)}
		}
		var tgt messages.Ticket
		if err := tgt.Unmarshal(cred.Ticket); err != nil {
			return messages.Ticket{}, types.EncryptionKey{}, &ticketError{Err: fmt.Errorf("the credential cache's TGT: %w", err)}
		}
		if !types.IsFlagSet(&cred.TicketFlags, flags.Forwardable) {
			return messages.Ticket{}, types.EncryptionKey{}, &ticketError{Err: fmt.Errorf("the credential cache's TGT is not forwardable (kinit -f)")}
		}
		return tgt, cred.Key, nil
	}
	conf := *cl.Config
	conf.LibDefaults.Forwardable = true
	req, err := messages.NewASReqForTGT(realm, &conf, cl.Credentials.CName())
	if err != nil {
		return messages.Ticket{}, types.EncryptionKey{}, &ticketError{Err: fmt.Errorf("forwardable TGT: %w", err)}
	}
	rep, err := cl.ASExchange(realm, req, 0)
	if err != nil {
		return messages.Ticket{}, types.EncryptionKey{}, classifyKDC(fmt.Errorf("forwardable TGT: %w", err))
	}
	if !types.IsFlagSet(&rep.DecryptedEncPart.Flags, flags.Forwardable) {
		return messages.Ticket{}, types.EncryptionKey{}, &ticketError{Err: fmt.Errorf("the KDC issued no forwardable TGT for %s", cl.Credentials.UserName())}
	}
	return rep.Ticket, rep.DecryptedEncPart.Key, nil
}

// tgsAuthenticator sets the PA-TGS-REQ of req (RFC 4120 5.5.1): an AP-REQ
// with the TGT whose authenticator carries a checksum of the request body.
func tgsAuthenticator(req *messages.TGSReq, tgt messages.Ticket, key types.EncryptionKey) error {
	body, err := req.ReqBody.Marshal()
	if err != nil {
		return err
	}
	et, err := crypto.GetEtype(key.KeyType)
	if err != nil {
		return err
	}
	sum, err := et.GetChecksumHash(key.KeyValue, body, keyusage.TGS_REQ_PA_TGS_REQ_AP_REQ_AUTHENTICATOR_CHKSUM)
	if err != nil {
		return err
	}
	auth, err := types.NewAuthenticator(tgt.Realm, req.ReqBody.CName)
	if err != nil {
		return err
	}
	auth.Cksum = types.Checksum{CksumType: et.GetHashID(), Checksum: sum}
	apreq, err := messages.NewAPReq(tgt, key, auth)
	if err != nil {
		return err
	}
	raw, err := apreq.Marshal()
	if err != nil {
		return err
	}
	req.PAData = types.PADataSequence{{PADataType: patype.PA_TGS_REQ, PADataValue: raw}}
	return nil
}
