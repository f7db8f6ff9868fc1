package kerberos

import (
	"crypto"
	"crypto/md5" //nolint:gosec // RFC 4121 4.1.1.2 names MD5 for the channel bindings hash
	"crypto/x509"
	"encoding/binary"
	"errors"

	// The hashes RFC 5929 may pick for a certificate.
	_ "crypto/sha256"
	_ "crypto/sha512"
)

// tlsServerEndPointPrefix starts the application data of RFC 5929's
// tls-server-end-point channel binding.
const tlsServerEndPointPrefix = "tls-server-end-point:"

// TLSServerEndPoint returns the tls-server-end-point channel binding of a
// TLS server's certificate (RFC 5929 4.1): the prefix and the hash of the
// certificate with the hash function of its signature, SHA-256 when that
// is MD5 or SHA-1. It is what binds a Kerberos authentication to the TLS
// connection it travels in (what Active Directory's LDAP channel binding
// checks). Certificates whose signature names no such hash (Ed25519) have
// no binding of this type.
func TLSServerEndPoint(cert *x509.Certificate) ([]byte, error) {
	var h crypto.Hash
	switch cert.SignatureAlgorithm {
	case x509.MD5WithRSA, x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.DSAWithSHA1,
		x509.SHA256WithRSA, x509.SHA256WithRSAPSS, x509.ECDSAWithSHA256, x509.DSAWithSHA256:
		h = crypto.SHA256
	case x509.SHA384WithRSA, x509.SHA384WithRSAPSS, x509.ECDSAWithSHA384:
		h = crypto.SHA384
	case x509.SHA512WithRSA, x509.SHA512WithRSAPSS, x509.ECDSAWithSHA512:
		h = crypto.SHA512
	default:
		return nil, errors.New("the certificate's signature algorithm names no hash for a tls-server-end-point channel binding")
	}
	d := h.New()
	d.Write(cert.Raw)
	return append([]byte(tlsServerEndPointPrefix), d.Sum(nil)...), nil
}

// bindingsHash is the Bnd field of the GSS checksum (RFC 4121 4.1.1.2):
// the MD5 of the channel bindings in the encoding of
// gss_channel_bindings_struct (RFC 2744 3.11, as MIT and Windows hash it:
// each address type and length a little-endian 32-bit integer), with no
// addresses and appData as the application data; sixteen zeros without
// bindings.
func bindingsHash(appData []byte) []byte {
	if appData == nil {
		return make([]byte, md5.Size)
	}
	b := make([]byte, 20, 20+len(appData))
	// Initiator address type and length, acceptor address type and
	// length: all zero (no addresses).
	binary.LittleEndian.PutUint32(b[16:], uint32(len(appData)))
	b = append(b, appData...)
	sum := md5.Sum(b) //nolint:gosec // the hash RFC 4121 names
	return sum[:]
}
