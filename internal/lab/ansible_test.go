package lab

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rectifyhq/rectify/internal/testenv"
)

// ansiblePlaybook finds Debian's ansible-playbook (package ansible),
// whose winrm connection is pywinrm (python3-winrm, for Debian's python3).
// Without them the test skips on a workstation and fails under CI, which
// installs both.
func ansiblePlaybook(t *testing.T) string {
	t.Helper()
	path := testenv.LookPath(t, "ansible-playbook", "ansible")
	testenv.PythonModule(t, "/usr/bin/python3", "winrm", "python3-winrm")
	return path
}

// ansiblePlay is the playbook the test runs: raw tasks, the way Ansible
// runs a command on a Windows host without a module (PowerShell
// -EncodedCommand with the command line as the script).
const ansiblePlay = `- hosts: lab
  gather_facts: false
  tasks:
    - name: time source
      raw: w32tm /query /source
    - name: W32Time type
      raw: reg query HKLM\SYSTEM\CurrentControlSet\Services\W32Time\Parameters /v Type
    - name: receive failures
      raw: wevtutil qe Application "/q:*[System[(EventID=1035)]]" /c:1 /rd:true /f:text
    - name: through cmd
      raw: cmd /c hostname
    - name: missing value
      raw: reg query HKLM\SYSTEM\CurrentControlSet\Control\Lsa\Kerberos\Parameters /v LogLevel
      ignore_errors: true
    - name: follow the domain
      raw: w32tm /config /syncfromflags:domhier /update
      when: inventory_hostname == 'ex01'
    - name: resync
      raw: w32tm /resync /rediscover
      when: inventory_hostname == 'ex01'
`

// ansibleResult is the part of the json callback's output the test reads.
type ansibleResult struct {
	Plays []struct {
		Tasks []struct {
			Task struct {
				Name string `json:"name"`
			} `json:"task"`
			Hosts map[string]struct {
				RC      int    `json:"rc"`
				Stdout  string `json:"stdout"`
				Stderr  string `json:"stderr"`
				Failed  bool   `json:"failed"`
				Skipped bool   `json:"skipped"`
				Msg     string `json:"msg"`
			} `json:"hosts"`
		} `json:"tasks"`
	} `json:"plays"`
}

// TestAnsibleRawTasksRunOnTheLab runs Debian's Ansible against the lab, as
// `rectify lab` serves it by default (HTTP, with every message encrypted
// by the NTLM session, which pywinrm does on its own) and over HTTPS with
// the certificate verified against the lab's CA: an inventory with
// ansible_connection=winrm, NTLM and the scheme of the lab's URL, and raw
// tasks that read the time source, the registry and the event log, run
// through cmd, fail as reg.exe fails, and change the clock's
// configuration, which the lab's model then shows.
func TestAnsibleRawTasksRunOnTheLab(t *testing.T) {
	playbook := ansiblePlaybook(t)
	for _, tc := range []struct {
		name  string
		https bool
	}{
		{"http with message encryption", false},
		{"https", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := startLab(t, KB979174(), func(o *Options) { o.HTTPS = tc.https })
			runAnsibleOnLab(t, playbook, l)
			for _, name := range []string{"ex01", "ex02"} {
				c := l.WinRMCounts(name)
				if c.Command == 0 {
					t.Errorf("%s received no command from Ansible", name)
				}
				if tc.https {
					continue
				}
				// Over HTTP the lab takes sealed messages only: every
				// command Ansible ran came encrypted.
				if c.Encrypted == 0 || c.Unencrypted != 0 {
					t.Errorf("%s over HTTP: %d encrypted requests, %d plain ones refused; want Ansible's messages sealed", name, c.Encrypted, c.Unencrypted)
				}
			}
		})
	}
}

// runAnsibleOnLab runs ansiblePlay with ansible-playbook against ex01
// and ex02 of l and checks what each task reported and what it changed.
func runAnsibleOnLab(t *testing.T, playbook string, l *Lab) {
	t.Helper()
	dir := t.TempDir()

	var inv strings.Builder
	inv.WriteString("[lab]\n")
	for _, name := range []string{"ex01", "ex02"} {
		ep, _ := l.WinRM(name)
		u, err := url.Parse(ep.URL())
		if err != nil {
			t.Fatal(err)
		}
		host, port, err := net.SplitHostPort(u.Host)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&inv, "%s ansible_host=%s ansible_port=%s ansible_winrm_scheme=%s\n", name, host, port, u.Scheme)
	}
	fmt.Fprintf(&inv, "\n[lab:vars]\nansible_connection=winrm\nansible_winrm_transport=ntlm\nansible_winrm_server_cert_validation=validate\nansible_winrm_ca_trust_path=%s\nansible_user=%s\nansible_password=%s\n",
		l.CAFile(), l.Username(), l.Password())
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	invPath := write("inventory.ini", inv.String())
	playPath := write("play.yml", ansiblePlay)
	cfgPath := write("ansible.cfg", "")

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, playbook, "-i", invPath, playPath)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasSuffix(strings.ToLower(name), "_proxy") && !strings.HasPrefix(name, "ANSIBLE_") && name != "HOME" {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "HOME="+dir, "ANSIBLE_CONFIG="+cfgPath, "ANSIBLE_STDOUT_CALLBACK=ansible.posix.json",
		"ANSIBLE_LOCAL_TEMP="+filepath.Join(dir, "tmp"), "ANSIBLE_NOCOLOR=1", "ANSIBLE_DEPRECATION_WARNINGS=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var res ansibleResult
	if jerr := json.Unmarshal(out, &res); jerr != nil || len(res.Plays) != 1 {
		t.Fatalf("ansible-playbook: %v; output %.2000s\nstderr %.2000s", err, out, stderr.String())
	}
	if err != nil {
		t.Errorf("ansible-playbook: %v (a task failed; stderr %.1000s)", err, stderr.String())
	}

	type want struct {
		rc     int
		stdout string // a substring
		stderr string
	}
	wants := map[string]map[string]want{
		"time source":      {"ex01": {0, "time.windows.com", ""}, "ex02": {0, "dc02.corp.example.com", ""}},
		"W32Time type":     {"ex01": {0, "REG_SZ    NTP", ""}, "ex02": {0, "REG_SZ    NT5DS", ""}},
		"receive failures": {"ex02": {0, "Event ID: 1035", ""}},
		"through cmd":      {"ex01": {0, "EX01", ""}, "ex02": {0, "EX02", ""}},
		"missing value":    {"ex02": {1, "", "unable to find the specified registry key or value"}},
		"resync":           {"ex01": {0, "The command completed successfully.", ""}},
	}
	seen := 0
	for _, task := range res.Plays[0].Tasks {
		for host, w := range wants[task.Task.Name] {
			got, ok := task.Hosts[host]
			if !ok {
				t.Errorf("%s on %s: no result", task.Task.Name, host)
				continue
			}
			seen++
			if got.RC != w.rc || !strings.Contains(got.Stdout, w.stdout) || !strings.Contains(got.Stderr, w.stderr) {
				t.Errorf("%s on %s: rc %d stdout %q stderr %q %s; want rc %d, stdout with %q, stderr with %q",
					task.Task.Name, host, got.RC, got.Stdout, got.Stderr, got.Msg, w.rc, w.stdout, w.stderr)
			}
		}
	}
	if seen != 9 {
		t.Errorf("%d of 9 expected task results were reported", seen)
	}

	// What Ansible changed is what rectify would now read.
	ex01, _ := l.Host("ex01")
	if off := ex01.ClockOffset(); off != 0 {
		t.Errorf("ex01 is %s off after Ansible resynced it from the domain", off)
	}
	var ran []string
	for _, rec := range l.Received("ex01") {
		ran = append(ran, rec.Op+" "+string(rec.Args))
	}
	if !strings.Contains(strings.Join(ran, "\n"), `w32tm ["/config","/syncfromflags:domhier","/update"]`) {
		t.Errorf("ex01 did not receive the w32tm /config command; it received:\n%s", strings.Join(ran, "\n"))
	}
}
