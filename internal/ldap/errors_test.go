package ldap

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	ber "github.com/go-asn1-ber/asn1-ber"
	goldap "github.com/go-ldap/ldap/v3"
	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
)

// serverAnswer builds the error go-ldap returns for an LDAP result, from a
// real encoded ModifyResponse.
func serverAnswer(t *testing.T, code uint16, diag string) error {
	t.Helper()
	packet := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAP Response")
	packet.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, int64(1), "MessageID"))
	resp := ber.Encode(ber.ClassApplication, ber.TypeConstructed, goldap.ApplicationModifyResponse, nil, "Modify Response")
	resp.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, int64(code), "resultCode"))
	resp.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", "matchedDN"))
	resp.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, diag, "diagnosticMessage"))
	packet.AppendChild(resp)
	decoded, err := ber.DecodePacketErr(packet.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return goldap.GetLDAPError(decoded)
}

func TestClassify(t *testing.T) {
	type want struct {
		Kind  actions.Kind
		Class actions.Class
	}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithTimeout(context.Background(), -1)
	defer cancel2()
	live := context.Background()
	tests := []struct {
		name string
		ctx  context.Context
		err  func(t *testing.T) error
		want want
	}{
		{"20 exists", live, func(t *testing.T) error { return serverAnswer(t, 20, "00002083: AtrErr: DSID-03151904") }, want{actions.KindExists, actions.Permanent}},
		{"19 AD SPN", live, func(t *testing.T) error {
			return serverAnswer(t, 19, "000021C7: AtrErr: DSID-03200BBA, #1:\n\t0: 000021C7: DSID-03200BBA, problem 1005 (CONSTRAINT_ATT_TYPE), data 0, Att 90303 (servicePrincipalName)")
		}, want{actions.KindSPNConflict, actions.Permanent}},
		{"19 Samba SPN", live, func(t *testing.T) error {
			return serverAnswer(t, 19, "0000202F: samldb: spn[SMTPSVC/ex01] would cause a conflict")
		}, want{actions.KindSPNConflict, actions.Permanent}},
		{"19 other", live, func(t *testing.T) error { return serverAnswer(t, 19, "0000052D: Constraint violation") }, want{actions.KindConstraint, actions.Permanent}},
		{"19 code later in text", live, func(t *testing.T) error { return serverAnswer(t, 19, "something 000021C7: later") }, want{actions.KindConstraint, actions.Permanent}},
		{"50 access", live, func(t *testing.T) error { return serverAnswer(t, 50, "00002098: SecErr") }, want{actions.KindAccess, actions.Permanent}},
		{"51 busy", live, func(t *testing.T) error { return serverAnswer(t, 51, "") }, want{actions.KindServer, actions.Retryable}},
		{"52 unavailable", live, func(t *testing.T) error { return serverAnswer(t, 52, "") }, want{actions.KindServer, actions.Retryable}},
		{"53 unwilling", live, func(t *testing.T) error { return serverAnswer(t, 53, "") }, want{actions.KindServer, actions.Retryable}},
		{"32 no such object", live, func(t *testing.T) error { return serverAnswer(t, 32, "0000208D: NameErr") }, want{actions.KindNotFound, actions.Permanent}},
		{"49 credentials", live, func(t *testing.T) error { return serverAnswer(t, 49, "80090308: LdapErr: DSID-0C09044E") }, want{actions.KindAuth, actions.Permanent}},
		{"8 stronger auth", live, func(t *testing.T) error { return serverAnswer(t, 8, "") }, want{actions.KindAuth, actions.Permanent}},
		{"2 protocol", live, func(t *testing.T) error { return serverAnswer(t, 2, "00000057: LdapErr") }, want{actions.KindProtocol, actions.Permanent}},
		{"80 other", live, func(t *testing.T) error { return serverAnswer(t, 80, "") }, want{actions.KindServer, actions.Permanent}},
		{"x509 unknown authority", live, func(*testing.T) error { return &handshakeError{err: x509.UnknownAuthorityError{}} }, want{actions.KindTLS, actions.Permanent}},
		{"x509 hostname", live, func(*testing.T) error { return &handshakeError{err: x509.HostnameError{Host: "x"}} }, want{actions.KindTLS, actions.Permanent}},
		{"handshake eof", live, func(*testing.T) error { return &handshakeError{err: io.EOF} }, want{actions.KindTLS, actions.Permanent}},
		{"dial refused", live, func(*testing.T) error {
			return &net.OpError{Op: "dial", Net: "tcp", Err: &net.OpError{Err: syscall.ECONNREFUSED}}
		}, want{actions.KindConnect, actions.Retryable}},
		{"dns", live, func(*testing.T) error { return &net.DNSError{Err: "no such host", Name: "dc99", IsNotFound: true} }, want{actions.KindConnect, actions.Retryable}},
		{"dropped connection", live, func(*testing.T) error {
			return goldap.NewError(goldap.ErrorNetwork, errors.New("ldap: response channel closed"))
		}, want{actions.KindConnect, actions.Retryable}},
		{"filter compile", live, func(*testing.T) error { return goldap.NewError(goldap.ErrorFilterCompile, errors.New("bad")) }, want{actions.KindProtocol, actions.Permanent}},
		{"deadline wins", expired, func(*testing.T) error { return goldap.NewError(goldap.ErrorNetwork, errors.New("closed")) }, want{actions.KindTimeout, actions.Retryable}},
		{"cancel wins", canceled, func(*testing.T) error { return goldap.NewError(goldap.ErrorNetwork, errors.New("closed")) }, want{actions.KindCanceled, actions.Permanent}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			te := classify(tt.ctx, "dc01:636", "modify", tt.err(t))
			got := want{te.Kind, te.Class}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("classify (-want +got):\n%s\nerror: %v", diff, te)
			}
			if te.Host != "dc01:636" || te.Op != "modify" {
				t.Errorf("host/op = %q/%q", te.Host, te.Op)
			}
		})
	}
}

func TestResultErrorKeepsDiagnostic(t *testing.T) {
	diag := "0000202F: samldb: spn[SMTPSVC/ex01] would cause a conflict"
	te := classify(context.Background(), "dc01:636", "modify", serverAnswer(t, 19, diag))
	var res *ResultError
	if !errors.As(te, &res) {
		t.Fatalf("%v is not a ResultError", te)
	}
	code, ok := res.Win32Code()
	got := fmt.Sprintf("%d %q %08X %v", res.Code, res.Diagnostic, code, ok)
	want := fmt.Sprintf("19 %q 0000202F true", diag)
	if got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestWin32Code(t *testing.T) {
	for diag, want := range map[string]int64{
		"000021C7: AtrErr":  0x21C7,
		"0000202f: samldb":  0x202F,
		"000021C7 no colon": -1,
		"21C7: short":       -1,
		"XYZ021C7: hex":     -1,
		"":                  -1,
	} {
		code, ok := win32Code(diag)
		got := int64(code)
		if !ok {
			got = -1
		}
		if got != want {
			t.Errorf("win32Code(%q) = %x, %v; want %x", diag, code, ok, want)
		}
	}
}
