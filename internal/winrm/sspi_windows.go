//go:build windows

package winrm

import (
	"errors"
	"fmt"
	"runtime"
	"syscall"

	"github.com/alexbrainman/sspi"
	"github.com/alexbrainman/sspi/negotiate"
)

// sspiAvailable says whether AuthNegotiate can log on here.
const sspiAvailable = true

// sspiContext is a Negotiate logon through Windows' SSPI with the
// credentials of the user rectify runs as: no password anywhere. SSPI
// chooses Kerberos (a ticket for the SPN) or, where it cannot, NTLM, and
// its context seals the connection's messages (EncryptMessage and
// DecryptMessage) in the framing negotiate.go and encryption.go share with
// the other logons.
//
// This runs only on Windows and is not exercised by rectify's test suite,
// which runs on Linux: the handshake it plugs into is tested there with
// contexts built on internal/ntlm and internal/kerberos (see
// docs/windows.md).
type sspiContext struct {
	handles  *sspiHandles
	target   *uint16
	maxToken uint32
	// want are the context flags a sealed connection cannot do without.
	want uint32
}

// sspiHandles are the SSPI objects a context holds; they are released
// when the context is no longer reachable (a connection that closed, a
// logon replaced by another).
type sspiHandles struct {
	creds *sspi.Credentials
	ctx   *sspi.Context
}

// sspiFlags are the context flags a logon asks for: mutual
// authentication, and the confidentiality, integrity and sequencing that
// message encryption needs.
const sspiFlags = sspi.ISC_REQ_MUTUAL_AUTH | sspi.ISC_REQ_CONFIDENTIALITY | sspi.ISC_REQ_INTEGRITY |
	sspi.ISC_REQ_SEQUENCE_DETECT | sspi.ISC_REQ_REPLAY_DETECT | sspi.ISC_REQ_CONNECTION

// newSSPIContext acquires the current user's credentials for the
// Negotiate package and starts a client context for the host's SPN. With
// Kerberos.Delegate it asks SSPI to delegate the user's TGT (which SSPI
// does only to a host whose account is trusted for delegation).
func newSSPIContext(cfg Config) (securityContext, error) {
	info, err := negotiate.GetPackageInfo()
	if err != nil {
		return nil, fmt.Errorf("the Negotiate package: %w", err)
	}
	target, err := syscall.UTF16PtrFromString(cfg.negotiateSPN())
	if err != nil {
		return nil, fmt.Errorf("spn: %w", err)
	}
	creds, err := negotiate.AcquireCurrentUserCredentials()
	if err != nil {
		return nil, fmt.Errorf("the current Windows user's credentials: %w", err)
	}
	flags := uint32(sspiFlags)
	want := uint32(sspi.ISC_REQ_CONFIDENTIALITY | sspi.ISC_REQ_INTEGRITY)
	if cfg.Kerberos.Delegate {
		flags |= sspi.ISC_REQ_DELEGATE
		want |= sspi.ISC_REQ_DELEGATE
	}
	h := &sspiHandles{creds: creds, ctx: sspi.NewClientContext(creds, flags)}
	c := &sspiContext{handles: h, target: target, maxToken: info.MaxToken, want: want}
	runtime.AddCleanup(c, func(h *sspiHandles) {
		if h.ctx.Handle != nil {
			_ = h.ctx.Release()
		}
		_ = h.creds.Release()
	}, h)
	return c, nil
}

// Step implements securityContext with InitializeSecurityContext.
func (c *sspiContext) Step(in []byte) ([]byte, bool, error) {
	out := make([]byte, c.maxToken)
	var inBuf [1]sspi.SecBuffer
	inBuf[0].Set(sspi.SECBUFFER_TOKEN, in)
	var outBuf [1]sspi.SecBuffer
	outBuf[0].Set(sspi.SECBUFFER_TOKEN, out)
	outDesc := sspi.NewSecBufferDesc(outBuf[:])
	ret := c.handles.ctx.Update(c.target, outDesc, sspi.NewSecBufferDesc(inBuf[:]))
	established := false
	switch ret {
	case sspi.SEC_E_OK:
		established = true
	case sspi.SEC_I_CONTINUE_NEEDED:
	case sspi.SEC_I_COMPLETE_NEEDED, sspi.SEC_I_COMPLETE_AND_CONTINUE:
		if r := sspi.CompleteAuthToken(c.handles.ctx.Handle, outDesc); r != sspi.SEC_E_OK {
			return nil, false, fmt.Errorf("CompleteAuthToken: %w", r)
		}
		established = ret == sspi.SEC_I_COMPLETE_NEEDED
	default:
		return nil, false, fmt.Errorf("InitializeSecurityContext: %w", ret)
	}
	token := append([]byte(nil), outBuf[0].Bytes()...)
	if established {
		if err := c.handles.ctx.VerifySelectiveFlags(c.want); err != nil {
			return nil, false, fmt.Errorf("the context lacks what the logon needs (sealing, or delegation to a host not trusted for it): %w", err)
		}
	}
	return token, established, nil
}

// Sealer implements securityContext.
func (c *sspiContext) Sealer() (sealer, error) {
	_, maxSignature, blockSize, trailer, err := c.handles.ctx.Sizes()
	if err != nil {
		return nil, fmt.Errorf("the context's sizes: %w", err)
	}
	if maxSignature == 0 {
		return nil, errors.New("the context cannot sign or seal messages")
	}
	return &sspiSealer{c: c, trailer: trailer, blockSize: blockSize}, nil
}

// sspiSealer seals messages with EncryptMessage into the signature
// (SSPI's security trailer, which WinRM carries first) and the sealed
// message with its padding, and opens the server's with DecryptMessage.
// SSPI keeps the sequence numbers of a connection's context itself.
type sspiSealer struct {
	c                  *sspiContext
	trailer, blockSize uint32
}

func (s *sspiSealer) Wrap(m []byte) ([]byte, []byte, error) {
	data := append([]byte(nil), m...) // sealed in place
	var b [3]sspi.SecBuffer
	b[0].Set(sspi.SECBUFFER_TOKEN, make([]byte, s.trailer))
	b[1].Set(sspi.SECBUFFER_DATA, data)
	b[2].Set(sspi.SECBUFFER_PADDING, make([]byte, s.blockSize))
	if ret := sspi.EncryptMessage(s.c.handles.ctx.Handle, 0, sspi.NewSecBufferDesc(b[:]), 0); ret != sspi.SEC_E_OK {
		return nil, nil, fmt.Errorf("EncryptMessage: %w", ret)
	}
	signature := append([]byte(nil), b[0].Bytes()...)
	sealed := append(append([]byte(nil), b[1].Bytes()...), b[2].Bytes()...)
	return signature, sealed, nil
}

func (s *sspiSealer) Unwrap(signature, sealed []byte) ([]byte, error) {
	data := append([]byte(nil), sealed...)
	var b [2]sspi.SecBuffer
	b[0].Set(sspi.SECBUFFER_TOKEN, append([]byte(nil), signature...))
	b[1].Set(sspi.SECBUFFER_DATA, data)
	var qop uint32
	if ret := sspi.DecryptMessage(s.c.handles.ctx.Handle, sspi.NewSecBufferDesc(b[:]), 0, &qop); ret != sspi.SEC_E_OK {
		return nil, fmt.Errorf("DecryptMessage: %w", ret)
	}
	return append([]byte(nil), b[1].Bytes()...), nil
}
