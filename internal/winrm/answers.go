package winrm

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// The answers of a Windows Remote Shell, read by this package itself:
// a host's bytes are never handed to a parser that could panic on them
// (masterzen's parses a Receive answer in a goroutine of its own, where a
// panic cannot be contained). Every parser here refuses what is not the
// expected SOAP 1.2 envelope with a protocolError.

// nsSOAP is the SOAP 1.2 envelope namespace every WinRM answer uses.
const nsSOAP = "http://www.w3.org/2003/05/soap-envelope"

// stateDone ends the CommandState of a finished command.
const stateDone = "/CommandState/Done"

// decodeEnvelope unmarshals a SOAP answer into v (an envelope struct) and
// checks that it is a SOAP 1.2 envelope.
func decodeEnvelope(what string, body []byte, v any, name func() xml.Name) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return &protocolError{msg: what + ": the answer is empty"}
	}
	if err := xml.Unmarshal(body, v); err != nil {
		return &protocolError{msg: fmt.Sprintf("%s: the answer is not XML: %v", what, err)}
	}
	if n := name(); n.Space != nsSOAP || n.Local != "Envelope" {
		return &protocolError{msg: fmt.Sprintf("%s: the answer is a %s element, not a SOAP 1.2 envelope", what, n.Local)}
	}
	return nil
}

// createdAnswer is the answer to a Create message.
type createdAnswer struct {
	XMLName xml.Name
	Body    struct {
		Created struct {
			Selectors []struct {
				Name  string `xml:"Name,attr"`
				Value string `xml:",chardata"`
			} `xml:"ReferenceParameters>SelectorSet>Selector"`
		} `xml:"ResourceCreated"`
		Shell struct {
			ID string `xml:"ShellId"`
		} `xml:"Shell"`
	} `xml:"Body"`
}

// parseCreated returns the ShellId a Create answer names.
func parseCreated(body []byte) (string, error) {
	var a createdAnswer
	if err := decodeEnvelope("create shell", body, &a, func() xml.Name { return a.XMLName }); err != nil {
		return "", err
	}
	id := strings.TrimSpace(a.Body.Shell.ID)
	for _, s := range a.Body.Created.Selectors {
		if s.Name == "ShellId" {
			id = strings.TrimSpace(s.Value)
		}
	}
	if id == "" {
		return "", &protocolError{msg: "create shell: the answer names no ShellId"}
	}
	return id, nil
}

// commandAnswer is the answer to a Command message.
type commandAnswer struct {
	XMLName xml.Name
	ID      string `xml:"Body>CommandResponse>CommandId"`
}

// parseCommand returns the CommandId a Command answer names.
func parseCommand(body []byte) (string, error) {
	var a commandAnswer
	if err := decodeEnvelope("command", body, &a, func() xml.Name { return a.XMLName }); err != nil {
		return "", err
	}
	id := strings.TrimSpace(a.ID)
	if id == "" {
		return "", &protocolError{msg: "command: the answer names no CommandId"}
	}
	return id, nil
}

// receiveAnswer is the answer to a Receive message.
type receiveAnswer struct {
	XMLName xml.Name
	Body    struct {
		Response *struct {
			Streams []struct {
				Name      string `xml:"Name,attr"`
				CommandID string `xml:"CommandId,attr"`
				Data      string `xml:",chardata"`
			} `xml:"Stream"`
			State *struct {
				CommandID string  `xml:"CommandId,attr"`
				State     string  `xml:"State,attr"`
				ExitCode  *string `xml:"ExitCode"`
			} `xml:"CommandState"`
		} `xml:"ReceiveResponse"`
	} `xml:"Body"`
}

// received is what one Receive answer carried: the decoded data of each
// stream, in order.
type received struct {
	stdout, stderr [][]byte
	done           bool
	exitCode       int
}

// parseReceived reads the output and state of command commandID from a
// Receive answer. Streams of another command, unknown stream names,
// invalid base64 and an exit code that is not a number are protocol
// errors, never silently dropped or read as success.
func parseReceived(body []byte, commandID string) (received, error) {
	var a receiveAnswer
	if err := decodeEnvelope("receive", body, &a, func() xml.Name { return a.XMLName }); err != nil {
		return received{}, err
	}
	r := a.Body.Response
	if r == nil {
		return received{}, &protocolError{msg: "receive: the answer holds no ReceiveResponse"}
	}
	var out received
	for _, s := range r.Streams {
		if s.CommandID != "" && s.CommandID != commandID {
			return received{}, &protocolError{msg: "receive: the answer carries output of another command"}
		}
		data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s.Data))
		if err != nil {
			return received{}, &protocolError{msg: fmt.Sprintf("receive: the %s stream is not base64: %v", s.Name, err)}
		}
		if len(data) == 0 {
			continue
		}
		switch s.Name {
		case "stdout":
			out.stdout = append(out.stdout, data)
		case "stderr":
			out.stderr = append(out.stderr, data)
		default:
			return received{}, &protocolError{msg: fmt.Sprintf("receive: the answer carries a stream %q that was not asked for", s.Name)}
		}
	}
	if st := r.State; st != nil && strings.HasSuffix(st.State, stateDone) {
		out.done = true
		if st.ExitCode != nil {
			code, err := strconv.ParseInt(strings.TrimSpace(*st.ExitCode), 10, 64)
			if err != nil {
				return received{}, &protocolError{msg: fmt.Sprintf("receive: the exit code %.64q is not a number", *st.ExitCode)}
			}
			out.exitCode = int(code)
		}
	}
	return out, nil
}
