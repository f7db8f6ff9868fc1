package netprobe

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jcmturner/gokrb5/v8/iana"
	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/iana/msgtype"
	"github.com/jcmturner/gokrb5/v8/iana/nametype"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"
)

// probeClient is the client principal named in probe requests. It need not
// exist: PRINCIPAL_UNKNOWN is a KDC answer too.
const probeClient = "rectify-reach-probe"

// maxKerberosMessage bounds an answer read over TCP.
const maxKerberosMessage = 1 << 20

// KDCAnswer is what a KDC answered to a probe AS-REQ.
type KDCAnswer struct {
	// ErrorCode is the KRB-ERROR code (25 PREAUTH_REQUIRED, 6
	// PRINCIPAL_UNKNOWN, 68 WRONG_REALM...), or -1 for an AS-REP.
	ErrorCode int32
	// Realm is the realm the KDC answered for.
	Realm string
}

// KerberosPing sends an AS-REQ for krbtgt/realm to addr over network
// ("udp" or "tcp") and reads the answer. Any KRB-ERROR or AS-REP is an
// answer; anything else, silence or a closed port is an error saying why.
func KerberosPing(ctx context.Context, network, addr, realm string) (KDCAnswer, error) {
	req, err := asReq(realm)
	if err != nil {
		return KDCAnswer{}, fmt.Errorf("build AS-REQ: %w", err)
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return KDCAnswer{}, describe(ctx, network, err)
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	var answer []byte
	switch network {
	case "udp":
		if _, err := c.Write(req); err != nil {
			return KDCAnswer{}, describe(ctx, network, err)
		}
		buf := make([]byte, 65535)
		n, err := c.Read(buf)
		if err != nil {
			return KDCAnswer{}, describe(ctx, network, err)
		}
		answer = buf[:n]
	case "tcp":
		framed := binary.BigEndian.AppendUint32(nil, uint32(len(req)))
		if _, err := c.Write(append(framed, req...)); err != nil {
			return KDCAnswer{}, describe(ctx, network, err)
		}
		var size [4]byte
		if _, err := io.ReadFull(c, size[:]); err != nil {
			return KDCAnswer{}, describeRead(ctx, err)
		}
		n := binary.BigEndian.Uint32(size[:])
		if n == 0 || n > maxKerberosMessage {
			return KDCAnswer{}, fmt.Errorf("tcp: answer of %d bytes is not a Kerberos message", n)
		}
		answer = make([]byte, n)
		if _, err := io.ReadFull(c, answer); err != nil {
			return KDCAnswer{}, describeRead(ctx, err)
		}
	default:
		return KDCAnswer{}, fmt.Errorf("unknown network %q", network)
	}
	return parseAnswer(network, answer)
}

// describeRead explains a TCP read failure after the request was sent.
func describeRead(ctx context.Context, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) {
		return errors.New("tcp: connection closed without a Kerberos answer")
	}
	return describe(ctx, "tcp", err)
}

func parseAnswer(network string, b []byte) (KDCAnswer, error) {
	var krbErr messages.KRBError
	if err := krbErr.Unmarshal(b); err == nil {
		return KDCAnswer{ErrorCode: krbErr.ErrorCode, Realm: krbErr.Realm}, nil
	}
	var rep messages.ASRep
	if err := rep.Unmarshal(b); err == nil {
		return KDCAnswer{ErrorCode: -1, Realm: rep.CRealm}, nil
	}
	return KDCAnswer{}, fmt.Errorf("%s: the answer (%d bytes) is not a Kerberos message", network, len(b))
}

// asReq encodes an AS-REQ without pre-authentication for the probe
// principal, as kinit's first message is.
func asReq(realm string) ([]byte, error) {
	nonce, err := rand.Int(rand.Reader, big.NewInt(math.MaxInt32))
	if err != nil {
		return nil, err
	}
	req := messages.ASReq{KDCReqFields: messages.KDCReqFields{
		PVNO:    iana.PVNO,
		MsgType: msgtype.KRB_AS_REQ,
		PAData:  types.PADataSequence{},
		ReqBody: messages.KDCReqBody{
			KDCOptions: types.NewKrbFlags(),
			Realm:      realm,
			CName:      types.PrincipalName{NameType: nametype.KRB_NT_PRINCIPAL, NameString: []string{probeClient}},
			SName:      types.PrincipalName{NameType: nametype.KRB_NT_SRV_INST, NameString: []string{"krbtgt", realm}},
			Till:       time.Now().UTC().Add(time.Hour).Truncate(time.Second),
			Nonce:      int(nonce.Int64()),
			EType:      []int32{etypeID.AES256_CTS_HMAC_SHA1_96, etypeID.AES128_CTS_HMAC_SHA1_96, etypeID.RC4_HMAC},
		},
	}}
	return req.Marshal()
}

// realm returns the realm to name for host.
func (p *Prober) realm(host string) string {
	if p.Realm != "" {
		return p.Realm
	}
	return RealmOf(host)
}

// RealmOf guesses a realm from a host name: its domain part upper-cased.
// An IP address or a single-label name gives "PROBE.INVALID", which a KDC
// answers with WRONG_REALM, still an answer.
func RealmOf(host string) string {
	if net.ParseIP(host) != nil {
		return "PROBE.INVALID"
	}
	_, domain, ok := strings.Cut(strings.TrimSuffix(host, "."), ".")
	if !ok || domain == "" {
		return "PROBE.INVALID"
	}
	return strings.ToUpper(domain)
}
