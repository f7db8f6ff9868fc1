// Package wsmantest gives tests masterzen/winrm with the NTLM of
// go-ntlmssp, as masterzen's own NTLM transport uses it, but with each
// message's handshake retried when it was lost.
//
// masterzen runs a command's Send (its standard input) and its Receive at
// the same time over a pool of connections, and go-ntlmssp may run the
// legs of one handshake on different connections of that pool (net/http
// does not reuse a connection whose request write it has not seen end
// within 50 ms, which happens on a loaded machine). The lab, as Windows,
// binds an NTLM logon to its connection, so such a handshake is refused
// with a 401; masterzen drops a failed Send and the command then waits
// for its input until the client's timeout. That is the client's flaw, not
// the server's: this transport sends the message again, with a new
// handshake, after a 401, at most three times, so that a wrong password
// still fails every time.
package wsmantest

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/Azure/go-ntlmssp"
	"github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"
)

// attempts is how many times a message is sent while its handshake is
// refused.
const attempts = 3

// NTLM is a masterzen/winrm Transporter that authenticates with NTLM as
// User with Password.
type NTLM struct {
	User, Password string

	url string
	rt  http.RoundTripper
}

var _ winrm.Transporter = (*NTLM)(nil)

// Transport prepares the HTTP transport for ep, verifying its certificate
// against ep's CA as masterzen does.
func (n *NTLM) Transport(ep *winrm.Endpoint) error {
	tr := &http.Transport{
		TLSClientConfig:       &tls.Config{InsecureSkipVerify: ep.Insecure, ServerName: ep.TLSServerName},
		ResponseHeaderTimeout: ep.Timeout,
	}
	if len(ep.CACert) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(ep.CACert) {
			return errors.New("no certificate in the endpoint's CA")
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	scheme := "http"
	if ep.HTTPS {
		scheme = "https"
	}
	n.url = scheme + "://" + net.JoinHostPort(ep.Host, strconv.Itoa(ep.Port)) + "/wsman"
	n.rt = &ntlmssp.Negotiator{RoundTripper: tr}
	return nil
}

// Post sends m and returns the answer's body. As masterzen's transports,
// it returns a SOAP body whatever the status (faults included), and an
// error for an answer that is not SOAP.
func (n *NTLM) Post(_ *winrm.Client, m *soap.SoapMessage) (string, error) {
	client := &http.Client{Transport: n.rt}
	text := m.String()
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequest(http.MethodPost, n.url, strings.NewReader(text))
		if err != nil {
			return "", err
		}
		req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
		req.SetBasicAuth(n.User, n.Password)
		resp, err := client.Do(req)
		if err != nil {
			return "", fmt.Errorf("post: %w", err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return "", fmt.Errorf("read the answer: %w", err)
		}
		if resp.StatusCode == http.StatusUnauthorized && attempt < attempts {
			continue
		}
		if !strings.Contains(resp.Header.Get("Content-Type"), "application/soap+xml") {
			return "", fmt.Errorf("http response error: %d - invalid content type", resp.StatusCode)
		}
		return string(body), nil
	}
}
