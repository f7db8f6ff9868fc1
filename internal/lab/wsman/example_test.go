package wsman_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/masterzen/winrm"

	"github.com/rectifyhq/rectify/internal/lab/pki"
	"github.com/rectifyhq/rectify/internal/lab/wsman"
)

// A lab serves a host whose commands a Runner answers; a WinRM client
// verifies the host's certificate against the lab CA and runs a command
// with standard input over NTLM.
func Example() {
	ca, err := pki.NewCA()
	if err != nil {
		log.Fatal(err)
	}
	runner := wsman.RunnerFunc(func(ctx context.Context, host string, cmd wsman.Command, stdin io.Reader, stdout, stderr io.Writer) int {
		data, _ := io.ReadAll(stdin)
		fmt.Fprintf(stdout, "%s ran %s %q with %q", host, cmd.Executable, cmd.Arguments, data)
		return 3
	})
	srv, err := wsman.NewServer(wsman.Options{
		Runner: runner, CA: ca, Username: `LAB\rectify`, Password: "lab-password", Port: wsman.AnyPort,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	host, err := srv.AddHost(wsman.HostSpec{Name: "ex01", DNSNames: []string{"ex01.lab.example.test"}})
	if err != nil {
		log.Fatal(err)
	}

	ip, port, _ := net.SplitHostPort(host.Addr())
	portNumber, _ := strconv.Atoi(port)
	endpoint := winrm.NewEndpoint(ip, portNumber, true, false, ca.PEM(), nil, nil, 10*time.Second)
	params := winrm.NewParameters("PT60S", "en-US", 153600)
	params.TransportDecorator = func() winrm.Transporter { return &winrm.ClientNTLM{} }
	client, err := winrm.NewClientWithParameters(endpoint, `LAB\rectify`, "lab-password", params)
	if err != nil {
		log.Fatal(err)
	}
	var stdout, stderr strings.Builder
	code, err := client.RunWithInput(`setspn -L "EX01"`, &stdout, &stderr, strings.NewReader("input"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(stdout.String())
	fmt.Println("exit code", code, "handshakes", host.Counts().Handshakes > 0)
	// Output:
	// ex01 ran setspn ["-L" "EX01"] with "input"
	// exit code 3 handshakes true
}
