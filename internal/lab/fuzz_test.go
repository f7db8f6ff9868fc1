package lab

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/ops"
)

// FuzzRun feeds arbitrary command lines, scripts and argument documents to
// a host: the lab must answer (an exit code, CLIXML on failure), never
// panic or hang.
func FuzzRun(f *testing.F) {
	o, _, err := seedOrg(KB979174(), map[string]string{}, time.Now)
	if err != nil {
		f.Fatal(err)
	}
	f.Add("w32tm /stripchart /computer:dc02 /samples:2 /dataonly", "", "")
	f.Add(ops.BootstrapCommand(), "# rectify:op registry.get v1\n", `{"path":"HKLM:\\SOFTWARE","name":"x"}`)
	f.Add(ops.BootstrapCommand(), "# rectify:op batch v1\n", `{"items":[{"id":"a","script":"# rectify:op time.read v1\n","args":{}}]}`)
	f.Add(ops.BootstrapCommand(), "# rectify:op exchange.connector.add_auth v1\n", `{"identity":"EX01\\Default EX01","add_auth_mechanism":["None"]}`)
	f.Add("setspn -Q \"SMTPSVC/ex02.corp.example.com\"", "", "")
	f.Add("repadmin /syncall dc01 /AdeP", "", "")
	f.Add("cmd /c powershell -Command -", "Get-Date", "")
	f.Fuzz(func(t *testing.T, line, script, args string) {
		stdin := script
		if strings.HasPrefix(line, "powershell.exe -NoLogo") {
			stdin = base64.StdEncoding.EncodeToString([]byte(args)) + "\n" + script
		}
		var out, errOut strings.Builder
		done := make(chan int, 1)
		go func() {
			done <- o.Run(context.Background(), "dc01", line, "", nil, strings.NewReader(stdin), &out, &errOut)
		}()
		select {
		case code := <-done:
			if code != 0 && errOut.Len() == 0 && out.Len() == 0 {
				t.Errorf("exit %d without a word for %q", code, line)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no answer for %q", line)
		}
	})
}
