//go:build linux

package winrm

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// hostileFlood is how much a hostile server sends of what never ends: far
// more than a bounded client may hold, little enough that a client that
// reads it all fails the test rather than the machine.
const hostileFlood = 128 << 20

// hostileServer is a WinRM endpoint written for the tests of this file: it
// speaks just enough of the shell protocol (Create, Command, Send, Signal,
// Delete answered as Windows answers them) to bring a client to the step
// under test, where it answers with what a hostile or broken host sends.
// It writes raw bytes on its connections, so that it can send what no HTTP
// library would.
type hostileServer struct {
	ln net.Listener
	// answer writes the answer to one request on w; action is the SOAP
	// action's last segment ("" for a request without a SOAP body).
	answer func(w *bufio.Writer, action string, r *http.Request) error

	commands atomic.Int64
	wg       sync.WaitGroup
}

func newHostileServer(answer func(w *bufio.Writer, action string, r *http.Request) error) (*hostileServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &hostileServer{ln: ln, answer: answer}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

func (s *hostileServer) addr() (string, int) {
	a := s.ln.Addr().(*net.TCPAddr)
	return a.IP.String(), a.Port
}

func (s *hostileServer) close() {
	s.ln.Close()
	s.wg.Wait()
}

func (s *hostileServer) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			br, bw := bufio.NewReader(c), bufio.NewWriterSize(c, 64<<10)
			for {
				_ = c.SetDeadline(time.Now().Add(time.Minute))
				r, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
				if err != nil {
					return
				}
				action := soapAction(body)
				if action == "Command" {
					s.commands.Add(1)
				}
				if err := s.answer(bw, action, r); err != nil {
					return
				}
				if bw.Flush() != nil {
					return
				}
			}
		}()
	}
}

// The SOAP answers of a well-behaved host.
const (
	hostileShellID   = "11111111-2222-3333-4444-555555555555"
	hostileCommandID = "66666666-7777-8888-9999-AAAAAAAAAAAA"
)

func soapAnswer(body string) string {
	return `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell" ` +
		`xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header></s:Header><s:Body>` + body + `</s:Body></s:Envelope>`
}

func hostileReceive(stdout []byte, done bool) string {
	b := `<rsp:ReceiveResponse>`
	if len(stdout) > 0 {
		b += `<rsp:Stream Name="stdout" CommandId="` + hostileCommandID + `">` + base64.StdEncoding.EncodeToString(stdout) + `</rsp:Stream>`
	}
	if done {
		b += `<rsp:CommandState CommandId="` + hostileCommandID + `" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"><rsp:ExitCode>0</rsp:ExitCode></rsp:CommandState>`
	} else {
		b += `<rsp:CommandState CommandId="` + hostileCommandID + `" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Running"/>`
	}
	return soapAnswer(b + `</rsp:ReceiveResponse>`)
}

// wellBehaved is the answer of a healthy host to every action; Receive
// reports the command done with "{}" on standard output.
func wellBehaved(action string) string {
	switch action {
	case "Create":
		return soapAnswer(`<x:ResourceCreated xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer"><a:ReferenceParameters xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing">` +
			`<w:SelectorSet><w:Selector Name="ShellId">` + hostileShellID + `</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>`)
	case "Command":
		return soapAnswer(`<rsp:CommandResponse><rsp:CommandId>` + hostileCommandID + `</rsp:CommandId></rsp:CommandResponse>`)
	case "Receive":
		return hostileReceive([]byte("{}"), true)
	case "Send":
		return soapAnswer(`<rsp:SendResponse/>`)
	case "Signal":
		return soapAnswer(`<rsp:SignalResponse/>`)
	}
	return soapAnswer("")
}

// writeAnswer writes a complete HTTP answer.
func writeAnswer(w *bufio.Writer, status int, contentType, body string) error {
	fmt.Fprintf(w, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	if contentType != "" {
		fmt.Fprintf(w, "Content-Type: %s\r\n", contentType)
	}
	fmt.Fprintf(w, "Content-Length: %d\r\n\r\n%s", len(body), body)
	return w.Flush()
}

// flood writes n bytes of filler, ignoring that the client may have hung
// up: a bounded client closes the connection long before.
func flood(w *bufio.Writer, n int, filler byte) error {
	chunk := bytes.Repeat([]byte{filler}, 64<<10)
	for sent := 0; sent < n; sent += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return err
		}
	}
	return w.Flush()
}

// sealingHost answers the NTLM handshake as a host that grants message
// encryption (it does not verify the client: the lab's server does), and
// answers every request that carries a message (the AUTHENTICATE leg
// carries the first one) with hostile, whatever it says.
func sealingHost(hostile func(w *bufio.Writer) error) func(w *bufio.Writer, action string, r *http.Request) error {
	return func(w *bufio.Writer, action string, r *http.Request) error {
		token, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(r.Header.Get("Authorization"), "Negotiate "))
		switch {
		case len(token) > 12 && token[8] == 1:
			challenge := testChallenge()
			flags := binary.LittleEndian.Uint32(challenge[20:]) | 0x10 | 0x20 | 1<<29 | 1<<30 | 1<<31
			binary.LittleEndian.PutUint32(challenge[20:], flags)
			fmt.Fprintf(w, "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate %s\r\nContent-Length: 0\r\n\r\n", base64.StdEncoding.EncodeToString(challenge))
			return w.Flush()
		case len(token) > 12 && token[8] == 3 && r.ContentLength == 0:
			return writeAnswer(w, 200, "", "")
		}
		return hostile(w)
	}
}

// sealedFrame frames payload as a sealed answer with the given original
// length, without sealing anything: the client must refuse it.
func sealedFrame(length string, payload []byte) string {
	return "--Encrypted Boundary\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n" +
		"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=" + length + "\r\n--Encrypted Boundary\r\n" +
		"\tContent-Type: application/octet-stream\r\n\x10\x00\x00\x00" + strings.Repeat("S", 16) + string(payload) + "--Encrypted Boundary--\r\n"
}

const encryptedAnswerType = `multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"`

// hostileCases are the hosts of the hostile tests: each answers every
// request well except the one it is hostile in.
var hostileCases = map[string]func(w *bufio.Writer, action string, r *http.Request) error{
	// An empty Receive answer (masterzen's parser panicked on it).
	"empty receive": func(w *bufio.Writer, action string, r *http.Request) error {
		if action == "Receive" {
			return writeAnswer(w, 200, "application/soap+xml;charset=UTF-8", "")
		}
		return writeAnswer(w, 200, "application/soap+xml;charset=UTF-8", wellBehaved(action))
	},
	// A Receive answer that is not XML.
	"receive not xml": func(w *bufio.Writer, action string, r *http.Request) error {
		body := wellBehaved(action)
		if action == "Receive" {
			body = "<<<this is not xml"
		}
		return writeAnswer(w, 200, "application/soap+xml;charset=UTF-8", body)
	},
	// A header line that never ends.
	"endless header line": func(w *bufio.Writer, action string, r *http.Request) error {
		w.WriteString("HTTP/1.1 200 OK\r\nX-Filler: ")
		return flood(w, hostileFlood, 'a')
	},
	// Headers that never end, each of them short.
	"endless headers": func(w *bufio.Writer, action string, r *http.Request) error {
		w.WriteString("HTTP/1.1 200 OK\r\n")
		line := []byte("X-Filler: " + strings.Repeat("b", 54) + "\r\n")
		for sent := 0; sent < hostileFlood; sent += len(line) {
			if _, err := w.Write(line); err != nil {
				return err
			}
		}
		return w.Flush()
	},
	// An NTLM challenge that never ends, before any login.
	"endless www-authenticate": func(w *bufio.Writer, action string, r *http.Request) error {
		w.WriteString("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate TlRMTVNTUAACAAAA")
		return flood(w, hostileFlood, 'A')
	},
	// A body that never ends, without a length.
	"endless body": func(w *bufio.Writer, action string, r *http.Request) error {
		w.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml;charset=UTF-8\r\nConnection: close\r\n\r\n")
		return flood(w, hostileFlood, ' ')
	},
	// A body announced far larger than anything a host sends.
	"huge content length": func(w *bufio.Writer, action string, r *http.Request) error {
		w.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/soap+xml;charset=UTF-8\r\nContent-Length: " + strconv.Itoa(1<<40) + "\r\n\r\n")
		return flood(w, hostileFlood, ' ')
	},
	// A command whose output never ends, in well-formed answers.
	"endless output": func(w *bufio.Writer, action string, r *http.Request) error {
		if action != "Receive" {
			return writeAnswer(w, 200, "application/soap+xml;charset=UTF-8", wellBehaved(action))
		}
		return writeAnswer(w, 200, "application/soap+xml;charset=UTF-8", hostileReceive(bytes.Repeat([]byte("x"), 96<<10), false))
	},
	// A plain answer on a connection whose messages are sealed: anyone on
	// the path could have written it.
	"plain answer to a sealed request": sealingHost(func(w *bufio.Writer) error {
		return writeAnswer(w, 200, "application/soap+xml;charset=UTF-8", wellBehaved("Create"))
	}),
	// A sealed answer whose seal does not verify.
	"answer that does not unseal": sealingHost(func(w *bufio.Writer) error {
		junk := bytes.Repeat([]byte{0x5a}, len(wellBehaved("Create")))
		return writeAnswer(w, 200, encryptedAnswerType, sealedFrame(strconv.Itoa(len(junk)), junk))
	}),
	// A sealed answer announcing an absurd original length.
	"absurd original length": sealingHost(func(w *bufio.Writer) error {
		return writeAnswer(w, 200, encryptedAnswerType, sealedFrame("99999999999999", []byte("tiny")))
	}),
	// A sealed answer that never ends.
	"endless sealed body": sealingHost(func(w *bufio.Writer) error {
		w.WriteString("HTTP/1.1 200 OK\r\nContent-Type: " + encryptedAnswerType + "\r\nConnection: close\r\n\r\n")
		return flood(w, hostileFlood, 'E')
	}),
	// An answer that trickles in, one byte at a time, and never ends.
	"trickle": func(w *bufio.Writer, action string, r *http.Request) error {
		w.WriteString("HTTP/1.1 200 OK\r\n")
		for range 600 {
			w.WriteString("X")
			if err := w.Flush(); err != nil {
				return err
			}
			time.Sleep(50 * time.Millisecond)
		}
		return nil
	},
}
