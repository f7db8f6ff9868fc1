package wsman

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/masterzen/winrm"
)

func TestParseEnvelopeOfClientRequests(t *testing.T) {
	const url = "https://ex01:5986/wsman"
	const shellID = "11111111-2222-4333-8444-555555555555"
	const commandID = "AAAAAAAA-BBBB-4CCC-8DDD-EEEEEEEEEEEE"
	p := winrm.NewParameters("PT20.5S", "en-US", 153600)
	signal := winrm.NewSignalRequest(url, shellID, commandID, p).String()
	tests := []struct {
		name string
		body string
		want request
	}{
		{"create", winrm.NewOpenShellRequest(url, p).String(), request{
			Action: actionCreate, To: url, ResourceURI: resourceCmd, OperationTimeout: 20500 * time.Millisecond,
			MaxEnvelopeSize: 153600, Options: map[string]string{"WINRS_NOPROFILE": "FALSE", "WINRS_CODEPAGE": "65001"},
			Shell: &shellBody{InputStreams: "stdin", OutputStreams: "stdout stderr"},
		}},
		{"command with CDATA", winrm.NewExecuteCommandRequest(url, shellID, "cmd /c echo a&b", []string{"<x>", "y z"}, p).String(), request{
			Action: actionCommand, To: url, ResourceURI: resourceCmd, ShellID: shellID, OperationTimeout: 20500 * time.Millisecond,
			MaxEnvelopeSize: 153600, Options: map[string]string{"WINRS_CONSOLEMODE_STDIN": "TRUE", "WINRS_SKIP_CMD_SHELL": "FALSE"},
			CommandLine: &commandLineBody{Command: "cmd /c echo a&b", Arguments: []string{"<x>", "y z"}},
		}},
		{"send", winrm.NewSendInputRequest(url, shellID, commandID, []byte("hi"), true, p).String(), request{
			Action: actionSend, To: url, ResourceURI: resourceCmd, ShellID: shellID, OperationTimeout: 20500 * time.Millisecond,
			MaxEnvelopeSize: 153600,
			Send:            &sendBody{Streams: []streamXML{{Name: "stdin", CommandID: commandID, End: "true", Data: "aGk="}}},
		}},
		{"signal", signal, request{
			Action: actionSignal, To: url, ResourceURI: resourceCmd, ShellID: shellID, OperationTimeout: 20500 * time.Millisecond,
			MaxEnvelopeSize: 153600, Signal: &signalBody{CommandID: commandID, Code: signalTerminate},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseEnvelope([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if got.MessageID == "" {
				t.Error("no MessageID")
			}
			got.MessageID = ""
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseEnvelopeRefusals(t *testing.T) {
	const soap = `xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"`
	tests := []struct {
		name, body, wantSubcode string
	}{
		{"empty", "", "w:SchemaValidationError"},
		{"text", "hello", "w:SchemaValidationError"},
		{"soap 1.1", `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Header/><s:Body/></s:Envelope>`, "w:SchemaValidationError"},
		{"no body", `<s:Envelope ` + soap + `><s:Header><a:Action>x</a:Action><a:MessageID>m</a:MessageID></s:Header></s:Envelope>`, "w:SchemaValidationError"},
		{"no message id", `<s:Envelope ` + soap + `><s:Header><a:Action>x</a:Action></s:Header><s:Body/></s:Envelope>`, "a:MessageInformationHeaderRequired"},
		{"bad timeout", `<s:Envelope ` + soap + `><s:Header><a:Action>x</a:Action><a:MessageID>m</a:MessageID><w:OperationTimeout>PT-1S</w:OperationTimeout></s:Header><s:Body/></s:Envelope>`, "w:InvalidHeader"},
		{"bad envelope size", `<s:Envelope ` + soap + `><s:Header><a:Action>x</a:Action><a:MessageID>m</a:MessageID><w:MaxEnvelopeSize>big</w:MaxEnvelopeSize></s:Header><s:Body/></s:Envelope>`, "w:SchemaValidationError"},
		{"unclosed", `<s:Envelope ` + soap + `><s:Header>`, "w:SchemaValidationError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseEnvelope([]byte(tt.body))
			var f *fault
			if !errors.As(err, &f) || f.subcode != tt.wantSubcode {
				t.Fatalf("error %v, want fault %s", err, tt.wantSubcode)
			}
		})
	}
}

// FuzzParseEnvelope feeds the SOAP parser arbitrary bytes: it must never
// panic, and whatever it accepts carries an Action and a MessageID.
func FuzzParseEnvelope(f *testing.F) {
	const url = "https://ex01:5986/wsman"
	p := winrm.NewParameters("PT60S", "en-US", 153600)
	f.Add([]byte(winrm.NewOpenShellRequest(url, p).String()))
	f.Add([]byte(winrm.NewExecuteCommandRequest(url, "S", "echo", []string{"a"}, p).String()))
	f.Add([]byte(winrm.NewSendInputRequest(url, "S", "C", []byte("x"), true, p).String()))
	f.Add([]byte(winrm.NewGetOutputRequest(url, "S", "C", "stdout stderr", p).String()))
	f.Add([]byte(winrm.NewSignalRequest(url, "S", "C", p).String()))
	f.Add([]byte(winrm.NewDeleteShellRequest(url, "S", p).String()))
	f.Add([]byte("<s:Envelope"))
	f.Fuzz(func(t *testing.T, data []byte) {
		req, err := parseEnvelope(data)
		if err != nil {
			var flt *fault
			if !errors.As(err, &flt) {
				t.Fatalf("error %v is not a fault", err)
			}
			return
		}
		if req.Action == "" || req.MessageID == "" {
			t.Fatalf("accepted a request without Action or MessageID: %+v", req)
		}
		if req.OperationTimeout < 0 {
			t.Fatalf("negative timeout %v", req.OperationTimeout)
		}
	})
}
