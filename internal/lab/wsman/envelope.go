package wsman

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
	"time"
)

// request is one parsed WS-Management request: the headers the shell
// resource reads and the body of whichever action it carries.
type request struct {
	Action      string
	MessageID   string
	To          string
	ResourceURI string
	ShellID     string
	// OperationTimeout is the client's w:OperationTimeout; zero when absent.
	OperationTimeout time.Duration
	// MaxEnvelopeSize is the client's w:MaxEnvelopeSize in octets; zero when
	// absent.
	MaxEnvelopeSize int
	Options         map[string]string

	Shell       *shellBody
	CommandLine *commandLineBody
	Send        *sendBody
	Receive     *receiveBody
	Signal      *signalBody
}

type envelopeXML struct {
	XMLName xml.Name   `xml:"http://www.w3.org/2003/05/soap-envelope Envelope"`
	Header  *headerXML `xml:"http://www.w3.org/2003/05/soap-envelope Header"`
	Body    *bodyXML   `xml:"http://www.w3.org/2003/05/soap-envelope Body"`
}

type headerXML struct {
	Action           string       `xml:"http://schemas.xmlsoap.org/ws/2004/08/addressing Action"`
	MessageID        string       `xml:"http://schemas.xmlsoap.org/ws/2004/08/addressing MessageID"`
	To               string       `xml:"http://schemas.xmlsoap.org/ws/2004/08/addressing To"`
	ResourceURI      string       `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd ResourceURI"`
	OperationTimeout string       `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd OperationTimeout"`
	MaxEnvelopeSize  string       `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd MaxEnvelopeSize"`
	SelectorSet      *namedSetXML `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd SelectorSet"`
	OptionSet        *optionSetX  `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd OptionSet"`
}

type namedSetXML struct {
	Selectors []namedValueXML `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd Selector"`
}

type optionSetX struct {
	Options []namedValueXML `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd Option"`
}

type namedValueXML struct {
	Name  string `xml:"Name,attr"`
	Value string `xml:",chardata"`
}

type bodyXML struct {
	Shell       *shellBody       `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Shell"`
	CommandLine *commandLineBody `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell CommandLine"`
	Send        *sendBody        `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Send"`
	Receive     *receiveBody     `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Receive"`
	Signal      *signalBody      `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Signal"`
}

// shellBody is the rsp:Shell of a Create request.
type shellBody struct {
	InputStreams  string `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell InputStreams"`
	OutputStreams string `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell OutputStreams"`
}

// commandLineBody is the rsp:CommandLine of a Command request.
type commandLineBody struct {
	Command   string   `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Command"`
	Arguments []string `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Arguments"`
}

// sendBody is the rsp:Send of a Send request.
type sendBody struct {
	Streams []streamXML `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Stream"`
}

type streamXML struct {
	Name      string `xml:"Name,attr"`
	CommandID string `xml:"CommandId,attr"`
	End       string `xml:"End,attr"`
	Data      string `xml:",chardata"`
}

// receiveBody is the rsp:Receive of a Receive request.
type receiveBody struct {
	DesiredStream struct {
		CommandID string `xml:"CommandId,attr"`
		Streams   string `xml:",chardata"`
	} `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell DesiredStream"`
}

// signalBody is the rsp:Signal of a Signal request.
type signalBody struct {
	CommandID string `xml:"CommandId,attr"`
	Code      string `xml:"http://schemas.microsoft.com/wbem/wsman/1/windows/shell Code"`
}

// parseEnvelope decodes a SOAP 1.2 envelope. Its errors are faults to send
// back: invalid XML, a missing header or body, a missing Action or
// MessageID, or malformed header values.
func parseEnvelope(data []byte) (*request, error) {
	var env envelopeXML
	dec := xml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&env); err != nil {
		return nil, faultInvalidXML()
	}
	if env.Header == nil || env.Body == nil {
		return nil, faultInvalidXML()
	}
	h := env.Header
	req := &request{
		Action:      strings.TrimSpace(h.Action),
		MessageID:   strings.TrimSpace(h.MessageID),
		To:          strings.TrimSpace(h.To),
		ResourceURI: strings.TrimSpace(h.ResourceURI),
		Shell:       env.Body.Shell,
		CommandLine: env.Body.CommandLine,
		Send:        env.Body.Send,
		Receive:     env.Body.Receive,
		Signal:      env.Body.Signal,
	}
	if req.Action == "" || req.MessageID == "" {
		return nil, faultHeaderRequired()
	}
	if h.SelectorSet != nil {
		for _, s := range h.SelectorSet.Selectors {
			if s.Name == "ShellId" {
				req.ShellID = strings.TrimSpace(s.Value)
			}
		}
	}
	if h.OptionSet != nil {
		req.Options = make(map[string]string, len(h.OptionSet.Options))
		for _, o := range h.OptionSet.Options {
			req.Options[o.Name] = strings.TrimSpace(o.Value)
		}
	}
	if v := strings.TrimSpace(h.OperationTimeout); v != "" {
		d, err := parseDuration(v)
		if err != nil || d <= 0 {
			return nil, faultInvalidTimeout()
		}
		req.OperationTimeout = d
	}
	if v := strings.TrimSpace(h.MaxEnvelopeSize); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return nil, faultInvalidXML()
		}
		req.MaxEnvelopeSize = n
	}
	return req, nil
}
