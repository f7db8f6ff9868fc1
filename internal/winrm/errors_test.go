package winrm

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
)

func TestClassify(t *testing.T) {
	type kc struct {
		Kind  actions.Kind
		Class actions.Class
	}
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	ioTimeout := &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	tests := []struct {
		name string
		err  error
		want kc
	}{
		{"connection refused", refused, kc{actions.KindConnect, actions.Retryable}},
		{"connection reset", reset, kc{actions.KindConnect, actions.Retryable}},
		{"eof mid answer", fmt.Errorf("read answer: %w", io.ErrUnexpectedEOF), kc{actions.KindConnect, actions.Retryable}},
		{"no such host", &net.DNSError{Err: "no such host", Name: "ex01.invalid", IsNotFound: true}, kc{actions.KindConnect, actions.Permanent}},
		{"dns server timeout", &net.DNSError{Err: "timeout", Name: "ex01", IsTimeout: true}, kc{actions.KindConnect, actions.Retryable}},
		{"read timeout", ioTimeout, kc{actions.KindTimeout, actions.Retryable}},
		{"dial timeout", &dialTimeoutError{addr: "10.0.0.5:5986", err: errors.New("i/o timeout")}, kc{actions.KindTimeout, actions.Retryable}},
		{"url timeout", &url.Error{Op: "Post", URL: "https://ex01:5986/wsman", Err: ioTimeout}, kc{actions.KindTimeout, actions.Retryable}},
		{"url refused", &url.Error{Op: "Post", URL: "https://ex01:5986/wsman", Err: refused}, kc{actions.KindConnect, actions.Retryable}},
		{"caller canceled", fmt.Errorf("post: %w", context.Canceled), kc{actions.KindCanceled, actions.Permanent}},
		{"caller deadline", context.DeadlineExceeded, kc{actions.KindTimeout, actions.Permanent}},
		{"unknown authority", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, kc{actions.KindTLS, actions.Permanent}},
		{"bare unknown authority", x509.UnknownAuthorityError{}, kc{actions.KindTLS, actions.Permanent}},
		{"wrong host name", x509.HostnameError{Host: "ex99"}, kc{actions.KindTLS, actions.Permanent}},
		{"expired", x509.CertificateInvalidError{Reason: x509.Expired}, kc{actions.KindTLS, actions.Permanent}},
		{"plain http server", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, kc{actions.KindTLS, actions.Permanent}},
		{"tls alert", tls.AlertError(40), kc{actions.KindTLS, actions.Permanent}},
		{"http 401", &statusError{StatusCode: 401}, kc{actions.KindAuth, actions.Permanent}},
		{"http 403", &statusError{StatusCode: 403}, kc{actions.KindAccess, actions.Permanent}},
		{"http 404", &statusError{StatusCode: 404}, kc{actions.KindProtocol, actions.Permanent}},
		{"http 500 bare", &statusError{StatusCode: 500}, kc{actions.KindServer, actions.Retryable}},
		{"http 503", &statusError{StatusCode: 503}, kc{actions.KindServer, actions.Retryable}},
		{"internal error fault", &statusError{StatusCode: 500, Fault: &soapFault{Code: "Receiver", Subcode: "InternalError"}}, kc{actions.KindServer, actions.Retryable}},
		{"operation timeout fault", &statusError{StatusCode: 500, Fault: &soapFault{Code: "Receiver", Subcode: "TimedOut", WSManCode: "2150858793"}}, kc{actions.KindTimeout, actions.Retryable}},
		{"shell not found", &statusError{StatusCode: 500, Fault: &soapFault{Code: "Sender", Subcode: "InvalidSelectors", WSManCode: "2150858843"}}, kc{actions.KindServer, actions.Retryable}},
		{"access denied fault", &statusError{StatusCode: 500, Fault: &soapFault{Code: "Sender", Subcode: "AccessDenied"}}, kc{actions.KindAccess, actions.Permanent}},
		{"quota fault", &statusError{StatusCode: 500, Fault: &soapFault{Code: "Receiver", Subcode: "QuotaLimit"}}, kc{actions.KindServer, actions.Retryable}},
		{"encoding limit fault", &statusError{StatusCode: 500, Fault: &soapFault{Code: "Sender", Subcode: "EncodingLimit"}}, kc{actions.KindProtocol, actions.Permanent}},
		{"protocol", &protocolError{msg: "answer is not application/soap+xml"}, kc{actions.KindProtocol, actions.Permanent}},
		{"script", &scriptError{ExitCode: 1, Stderr: "boom"}, kc{actions.KindScript, actions.Permanent}},
		{"already classified", &actions.TransportError{Kind: actions.KindExists, Class: actions.Permanent}, kc{actions.KindExists, actions.Permanent}},
		{"unknown", errors.New("Command has already been closed"), kc{actions.KindProtocol, actions.Permanent}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, c := classify(tt.err)
			if diff := cmp.Diff(tt.want, kc{k, c}); diff != "" {
				t.Errorf("classify(%v) (-want +got):\n%s", tt.err, diff)
			}
			te := transportError("ex01", "time.read", tt.err)
			_, classified := tt.err.(*actions.TransportError)
			if te.Host != "ex01" || te.Op != "time.read" || te.Kind != tt.want.Kind || (!classified && !errors.Is(te, tt.err)) {
				t.Errorf("transportError = %#v", te)
			}
		})
	}
}

func TestParseFault(t *testing.T) {
	const timedOut = `<s:Envelope xml:lang="en-US" xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" xmlns:e="http://schemas.xmlsoap.org/ws/2004/08/eventing" xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"><s:Header><a:Action>http://schemas.dmtf.org/wbem/wsman/1/wsman/fault</a:Action><a:MessageID>uuid:1</a:MessageID><a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To><a:RelatesTo>uuid:2</a:RelatesTo></s:Header><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:TimedOut</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  </s:Text></s:Reason><s:Detail><f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="2150858793" Machine="ex01.lab.example.test"><f:Message>The WS-Management service cannot complete the operation within the time specified in OperationTimeout. </f:Message></f:WSManFault></s:Detail></s:Fault></s:Body></s:Envelope>`
	const shellGone = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value>w:InvalidSelectors</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">The request for the Windows Remote Shell with ShellId 1A2B failed because the shell was not found on the server.</s:Text></s:Reason><s:Detail><f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="2150858843" Machine="ex01"><f:Message>The request for the Windows Remote Shell with ShellId 1A2B failed because the shell was not found on the server.</f:Message></f:WSManFault></s:Detail></s:Fault></s:Body></s:Envelope>`
	tests := []struct {
		name string
		body string
		want *soapFault
	}{
		{"timed out", timedOut, &soapFault{Code: "Receiver", Subcode: "TimedOut", WSManCode: "2150858793", Reason: "The WS-Management service cannot complete the operation within the time specified in OperationTimeout."}},
		{"shell not found", shellGone, &soapFault{Code: "Sender", Subcode: "InvalidSelectors", WSManCode: "2150858843", Reason: "The request for the Windows Remote Shell with ShellId 1A2B failed because the shell was not found on the server."}},
		{"no fault", `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>`, nil},
		{"not xml", `Internal Server Error`, nil},
		{"truncated", `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value>`, &soapFault{Code: "Receiver"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseFault([]byte(tt.body))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseFault (-want +got):\n%s", diff)
			}
		})
	}
	if f := parseFault([]byte(shellGone)); !f.shellGone() {
		t.Error("shell-not-found fault not recognised")
	}
}

func TestSOAPAction(t *testing.T) {
	tests := []struct{ body, want string }{
		{`<env:Envelope xmlns:env="e" xmlns:a="a"><env:Header><a:Action mustUnderstand="true">http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command</a:Action></env:Header><env:Body/></env:Envelope>`, "Command"},
		{`<env:Envelope xmlns:env="e"><env:Header></env:Header><env:Body><Action>x/Receive</Action></env:Body></env:Envelope>`, ""},
		{`not xml`, ""},
	}
	for _, tt := range tests {
		if got := soapAction([]byte(tt.body)); got != tt.want {
			t.Errorf("soapAction(%q) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

// soapAction reads the last segment of a message's WS-Addressing Action
// ("Command", "Receive"), for the test servers. It stops at the end of the
// header.
func soapAction(message []byte) string {
	dec := xml.NewDecoder(bytes.NewReader(message))
	inAction := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		switch t := tok.(type) {
		case xml.StartElement:
			inAction = t.Name.Local == "Action"
			if t.Name.Local == "Body" {
				return ""
			}
		case xml.CharData:
			if inAction {
				s := string(bytes.TrimSpace(t))
				if i := bytes.LastIndexByte([]byte(s), '/'); i >= 0 {
					return s[i+1:]
				}
				return s
			}
		case xml.EndElement:
			inAction = false
		}
	}
}
