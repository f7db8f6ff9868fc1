package winrm

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
)

// WS-Management fault subcodes and WSManFault codes that change what the
// Shell does.
const (
	subcodeTimedOut         = "TimedOut"         // OperationTimeout expired with no output: poll again
	subcodeInvalidSelectors = "InvalidSelectors" // the ShellId names no shell
	subcodeAccessDenied     = "AccessDenied"
	subcodeQuotaLimit       = "QuotaLimit"
	subcodeConcurrency      = "Concurrency"
	// wsmanShellNotFound is the WSManFault code Windows sends when a
	// shell no longer exists (0x8033805B, ERROR_WSMAN_SHELL_NOT_FOUND).
	wsmanShellNotFound = "2150858843"
)

// soapFault is a SOAP 1.2 fault from a WS-Management answer.
type soapFault struct {
	// Code is the local part of the fault code: "Sender" or "Receiver".
	Code string
	// Subcode is the local part of the first subcode ("TimedOut").
	Subcode string
	// WSManCode is the Code attribute of the WSManFault detail, if any.
	WSManCode string
	// Reason is the fault's reason text.
	Reason string
}

func (f *soapFault) Error() string {
	if f.timedOut() {
		// masterzen's Receive loop recognises this condition by the word
		// OperationTimeout in the error text and polls again.
		return "no output within the OperationTimeout (soap fault " + f.Subcode + ")"
	}
	msg := "soap fault " + f.Code
	if f.Subcode != "" {
		msg += "/" + f.Subcode
	}
	if f.WSManCode != "" {
		msg += " (wsman " + f.WSManCode + ")"
	}
	if f.Reason != "" {
		msg += ": " + f.Reason
	}
	return msg
}

func (f *soapFault) timedOut() bool { return f.Subcode == subcodeTimedOut }

// shellGone reports a fault saying the shell named by the request does not
// exist (any more) on the server.
func (f *soapFault) shellGone() bool {
	return f.WSManCode == wsmanShellNotFound || f.Subcode == subcodeInvalidSelectors
}

// parseFault reads a SOAP fault out of a response body; it returns nil when
// the body holds none.
func parseFault(body []byte) *soapFault {
	if !bytes.Contains(body, []byte("Fault")) {
		return nil
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	var (
		f       soapFault
		found   bool
		path    []string
		inValue bool
	)
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name.Local)
			switch t.Name.Local {
			case "Fault":
				found = true
			case "WSManFault":
				f.WSManCode = attr(t, "Code")
			case "Value":
				inValue = true
			}
		case xml.EndElement:
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
			inValue = false
		case xml.CharData:
			text := strings.TrimSpace(string(t))
			if text == "" || !found {
				continue
			}
			switch {
			case inValue && parentIs(path, "Subcode") && f.Subcode == "":
				f.Subcode = localName(text)
			case inValue && parentIs(path, "Code") && f.Code == "":
				f.Code = localName(text)
			case parentIs(path, "Reason") && f.Reason == "":
				f.Reason = text
			case len(path) > 0 && path[len(path)-1] == "Message" && f.Reason == "":
				f.Reason = text
			}
		}
	}
	if !found {
		return nil
	}
	return &f
}

// parentIs reports whether the element enclosing the current one is name.
func parentIs(path []string, name string) bool {
	return len(path) >= 2 && path[len(path)-2] == name
}

// localName drops a QName's prefix: "w:TimedOut" is "TimedOut".
func localName(qname string) string {
	if i := strings.LastIndexByte(qname, ':'); i >= 0 {
		return qname[i+1:]
	}
	return qname
}

// statusError is an HTTP answer other than 200, with the SOAP fault its
// body carried, if any.
type statusError struct {
	StatusCode int
	Fault      *soapFault
}

func (e *statusError) Error() string {
	if e.Fault != nil {
		return fmt.Sprintf("http %d: %v", e.StatusCode, e.Fault)
	}
	return fmt.Sprintf("http %d", e.StatusCode)
}

func (e *statusError) Unwrap() error {
	if e.Fault == nil {
		return nil
	}
	return e.Fault
}

// protocolError is an answer that does not follow WS-Management or the op
// wire protocol (wrong content type, oversized body, output that is not
// one JSON document).
type protocolError struct {
	msg string
}

func (e *protocolError) Error() string { return e.msg }

// scriptError is a script or command that ran and exited non-zero.
type scriptError struct {
	ExitCode int
	// Stderr is the decoded standard error.
	Stderr string
}

func (e *scriptError) Error() string {
	if e.Stderr == "" {
		return fmt.Sprintf("exit code %d", e.ExitCode)
	}
	return fmt.Sprintf("exit code %d: %s", e.ExitCode, e.Stderr)
}

// encryptionRequiredError is a plain message over HTTP refused with 500
// and no body: what a Windows server whose listener requires encryption
// (AllowUnencrypted = false, its default) answers. Sending it again
// changes nothing.
type encryptionRequiredError struct{}

func (e *encryptionRequiredError) Error() string {
	return "http 500 with no body to an unencrypted message: the host requires message encryption (its AllowUnencrypted is false); set encryption to auto"
}
