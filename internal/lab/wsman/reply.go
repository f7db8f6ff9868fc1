package wsman

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// contentType is what WinRM sends and what clients check for.
const contentType = "application/soap+xml;charset=UTF-8"

// newGUID returns a random GUID in the upper-case form Windows uses for
// shell, command and message identifiers.
func newGUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return strings.ToUpper(fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]))
}

// esc escapes text for element content and attribute values.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// envelope wraps a body in the SOAP envelope and headers WinRM answers with.
func envelope(action, relatesTo, body string) []byte {
	var b strings.Builder
	b.Grow(len(body) + 900)
	b.WriteString(`<s:Envelope xml:lang="en-US" xmlns:s="` + nsSOAP + `" xmlns:a="` + nsAddressing +
		`" xmlns:x="` + nsTransfer + `" xmlns:w="` + nsWSMan + `" xmlns:rsp="` + nsShell +
		`" xmlns:p="` + nsWSManMSFT + `">`)
	b.WriteString(`<s:Header><a:Action>` + esc(action) + `</a:Action>`)
	b.WriteString(`<a:MessageID>uuid:` + newGUID() + `</a:MessageID>`)
	b.WriteString(`<a:To>` + anonymous + `</a:To>`)
	if relatesTo != "" {
		b.WriteString(`<a:RelatesTo>` + esc(relatesTo) + `</a:RelatesTo>`)
	}
	b.WriteString(`</s:Header><s:Body>`)
	b.WriteString(body)
	b.WriteString(`</s:Body></s:Envelope>`)
	return []byte(b.String())
}

// writeSOAP sends a SOAP envelope with the given HTTP status, sealed when
// the request came encrypted.
func writeSOAP(w http.ResponseWriter, status int, payload []byte) {
	if sw, ok := w.(*sealingWriter); ok {
		sealed, err := sealMessage(payload, sw.session, sw.protocol)
		if err != nil {
			panic(http.ErrAbortHandler) // no answer at all rather than a plain one
		}
		w, payload = sw.ResponseWriter, sealed
		w.Header().Set("Content-Type", encryptedContentTypeOf(sw.protocol))
		w.Header().Set("Content-Length", strconv.Itoa(len(payload)))
		w.WriteHeader(status)
		_, _ = w.Write(payload)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(payload)))
	w.WriteHeader(status)
	_, _ = w.Write(payload)
}

// faultEnvelope renders f as WinRM does, naming machine in the WSManFault.
func faultEnvelope(f *fault, relatesTo, machine string) []byte {
	var b strings.Builder
	b.WriteString(`<s:Fault><s:Code><s:Value>` + f.code + `</s:Value><s:Subcode><s:Value>` + f.subcode +
		`</s:Value></s:Subcode></s:Code>`)
	b.WriteString(`<s:Reason><s:Text xml:lang="en-US">` + esc(f.reason) + `</s:Text></s:Reason>`)
	b.WriteString(`<s:Detail>`)
	if f.detail != "" {
		b.WriteString(`<w:FaultDetail>` + esc(f.detail) + `</w:FaultDetail>`)
	}
	b.WriteString(`<f:WSManFault xmlns:f="` + nsFault + `" Code="` + strconv.FormatUint(uint64(f.wsmanCode), 10) +
		`" Machine="` + esc(machine) + `"><f:Message>` + esc(f.reason) + `</f:Message></f:WSManFault>`)
	b.WriteString(`</s:Detail></s:Fault>`)
	return envelope(f.action, relatesTo, b.String())
}

// createdBody is the body of a Create response: the ResourceCreated
// endpoint reference with the ShellId selector, then the shell's properties.
func createdBody(address, shellID, owner, clientIP, input, output string, idle time.Duration) string {
	return `<x:ResourceCreated><a:Address>` + esc(address) + `</a:Address><a:ReferenceParameters>` +
		`<w:ResourceURI>` + resourceCmd + `</w:ResourceURI><w:SelectorSet><w:Selector Name="ShellId">` + shellID +
		`</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>` +
		`<rsp:Shell><rsp:ShellId>` + shellID + `</rsp:ShellId><rsp:ResourceUri>` + resourceCmd + `</rsp:ResourceUri>` +
		`<rsp:Owner>` + esc(owner) + `</rsp:Owner><rsp:ClientIP>` + esc(clientIP) + `</rsp:ClientIP>` +
		`<rsp:IdleTimeOut>` + formatDuration(idle) + `</rsp:IdleTimeOut>` +
		`<rsp:InputStreams>` + esc(input) + `</rsp:InputStreams><rsp:OutputStreams>` + esc(output) +
		`</rsp:OutputStreams><rsp:ShellRunTime>P0DT0H0M0S</rsp:ShellRunTime>` +
		`<rsp:ShellInactivity>P0DT0H0M0S</rsp:ShellInactivity></rsp:Shell>`
}

// commandBody is the body of a Command response.
func commandBody(commandID string) string {
	return `<rsp:CommandResponse><rsp:CommandId>` + commandID + `</rsp:CommandId></rsp:CommandResponse>`
}

// receivedBody is the body of a Receive response: the output taken since
// the last Receive, then the command's state (with its exit code once done).
func receivedBody(commandID string, stdout, stderr []byte, done bool, exitCode int) string {
	var b strings.Builder
	b.WriteString(`<rsp:ReceiveResponse>`)
	stream := func(name string, data []byte, end bool) {
		b.WriteString(`<rsp:Stream Name="` + name + `" CommandId="` + commandID + `"`)
		if end {
			b.WriteString(` End="true"`)
		}
		b.WriteString(`>` + base64.StdEncoding.EncodeToString(data) + `</rsp:Stream>`)
	}
	if len(stdout) > 0 {
		stream("stdout", stdout, false)
	}
	if len(stderr) > 0 {
		stream("stderr", stderr, false)
	}
	if done {
		stream("stdout", nil, true)
		stream("stderr", nil, true)
		b.WriteString(`<rsp:CommandState CommandId="` + commandID + `" State="` + stateDone + `"><rsp:ExitCode>` +
			strconv.Itoa(exitCode) + `</rsp:ExitCode></rsp:CommandState>`)
	} else {
		b.WriteString(`<rsp:CommandState CommandId="` + commandID + `" State="` + stateRunning + `"/>`)
	}
	b.WriteString(`</rsp:ReceiveResponse>`)
	return b.String()
}
