package connect

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/internal/secret"
	"github.com/rectifyhq/rectify/internal/winrm"
	"github.com/rectifyhq/rectify/ops"
)

// recordingShell keeps the runs it is given.
type recordingShell struct{ runs *[]ops.ScriptRun }

func (s recordingShell) RunScript(_ context.Context, run ops.ScriptRun) (ops.ScriptResult, error) {
	*s.runs = append(*s.runs, run)
	return ops.ScriptResult{Output: json.RawMessage(`{}`)}, nil
}

// TestCredentialReachesOnlyTheOpsThatNeedIt: the WinRM account's
// credential is added to the arguments of the ops that authenticate beyond
// the host, alone or in a batch, with the run marked sensitive; other ops
// get nothing; without a password such an op is refused before it runs.
func TestCredentialReachesOnlyTheOpsThatNeedIt(t *testing.T) {
	cred := &ops.Credential{User: `CORP\svc`, Password: "s3cret-pass"}
	var runs []ops.ScriptRun
	sh := credentialShell{Shell: recordingShell{&runs}, host: "ex01", onward: func() (onward, error) { return onward{credential: cred}, nil }}
	ctx := context.Background()

	args, _ := json.Marshal(ops.QueueGetArgs{Endpoint: ops.EndpointFor("ex01.corp.example.com"), Server: "EX01"})
	if _, err := sh.RunScript(ctx, ops.ScriptRun{Script: ops.MustScript(ops.QueueGet), Args: args}); err != nil {
		t.Fatal(err)
	}
	var got ops.QueueGetArgs
	if err := json.Unmarshal(runs[0].Args, &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(cred, got.Credential); diff != "" || !runs[0].SensitiveArgs || got.Server != "EX01" {
		t.Errorf("exchange.queue.get: credential (-want +got):\n%s sensitive %v args %+v", diff, runs[0].SensitiveArgs, got)
	}

	regArgs, _ := json.Marshal(ops.RegistryGetArgs{Path: `HKLM:\x`, Name: "y"})
	if _, err := sh.RunScript(ctx, ops.ScriptRun{Script: ops.MustScript(ops.RegistryGet), Args: regArgs}); err != nil {
		t.Fatal(err)
	}
	if string(runs[1].Args) != string(regArgs) || runs[1].SensitiveArgs {
		t.Errorf("registry.get was changed: %s sensitive %v", runs[1].Args, runs[1].SensitiveArgs)
	}

	batch, _ := json.Marshal(ops.BatchArgs{Items: []ops.BatchItem{
		{ID: "r1", Script: ops.MustScript(ops.RegistryGet).Text, Args: json.RawMessage(regArgs)},
		{ID: "r2", Script: ops.MustScript(ops.QueueGet).Text, Args: json.RawMessage(args)},
	}})
	if _, err := sh.RunScript(ctx, ops.ScriptRun{Script: ops.MustScript(ops.Batch), Args: batch}); err != nil {
		t.Fatal(err)
	}
	var b struct {
		Items []struct {
			ID   string          `json:"id"`
			Args json.RawMessage `json:"args"`
		} `json:"items"`
	}
	if err := json.Unmarshal(runs[2].Args, &b); err != nil || len(b.Items) != 2 {
		t.Fatalf("batch args %s: %v", runs[2].Args, err)
	}
	var item ops.QueueGetArgs
	_ = json.Unmarshal(b.Items[1].Args, &item)
	var reg map[string]any
	_ = json.Unmarshal(b.Items[0].Args, &reg)
	if item.Credential == nil || *item.Credential != *cred || !runs[2].SensitiveArgs || reg["credential"] != nil {
		t.Errorf("batch: queue item %+v, registry item %v, sensitive %v", item, reg, runs[2].SensitiveArgs)
	}

	none := credentialShell{Shell: recordingShell{&runs}, host: "ex01", onward: func() (onward, error) { return onward{}, nil }}
	n := len(runs)
	_, err := none.RunScript(ctx, ops.ScriptRun{Script: ops.MustScript(ops.QueueGet), Args: args})
	if actions.KindOf(err) != actions.KindAuth || len(runs) != n {
		t.Errorf("without a password: %v (%d runs), want a refused auth error and no run", err, len(runs)-n)
	}
}

// TestDelegatedSessionSendsNoCredential: in a session that delegates the
// user's TGT, the ops that authenticate beyond the host run with the
// session's own credentials: nothing is added to their arguments, alone
// or in a batch, even when the inventory also holds a password, and
// nothing is refused for want of one.
func TestDelegatedSessionSendsNoCredential(t *testing.T) {
	var runs []ops.ScriptRun
	sh := credentialShell{Shell: recordingShell{&runs}, host: "ex01", onward: func() (onward, error) { return onward{delegated: true}, nil }}
	ctx := context.Background()
	args, _ := json.Marshal(ops.QueueGetArgs{Endpoint: ops.EndpointFor("ex01.corp.example.com"), Server: "EX01"})
	if _, err := sh.RunScript(ctx, ops.ScriptRun{Script: ops.MustScript(ops.QueueGet), Args: args}); err != nil {
		t.Fatalf("exchange.queue.get in a delegated session: %v", err)
	}
	batch, _ := json.Marshal(ops.BatchArgs{Items: []ops.BatchItem{{ID: "q", Script: ops.MustScript(ops.QueueGet).Text, Args: json.RawMessage(args)}}})
	if _, err := sh.RunScript(ctx, ops.ScriptRun{Script: ops.MustScript(ops.Batch), Args: batch}); err != nil {
		t.Fatalf("a batch in a delegated session: %v", err)
	}
	if len(runs) != 2 || string(runs[0].Args) != string(args) || string(runs[1].Args) != string(batch) {
		t.Fatalf("the arguments were changed: %+v", runs)
	}

	for _, tc := range []struct {
		name string
		cfg  winrm.Config
		want onward
	}{
		{"kerberos, delegated, with a password", winrm.Config{Auth: winrm.AuthKerberos, Username: "svc", Password: secret.New("pw"), Kerberos: winrm.KerberosConfig{Delegate: true}}, onward{delegated: true}},
		{"kerberos from a cache, delegated", winrm.Config{Auth: winrm.AuthKerberos, Kerberos: winrm.KerberosConfig{CCache: "FILE:/tmp/cc", Delegate: true}}, onward{delegated: true}},
		{"kerberos, no delegation", winrm.Config{Auth: winrm.AuthKerberos, Username: "svc", Password: secret.New("pw")}, onward{credential: &ops.Credential{User: "svc", Password: "pw"}}},
		{"kerberos from a cache, no delegation", winrm.Config{Auth: winrm.AuthKerberos, Kerberos: winrm.KerberosConfig{CCache: "FILE:/tmp/cc"}}, onward{}},
		{"negotiate (SSPI), delegated", winrm.Config{Auth: winrm.AuthNegotiate, Kerberos: winrm.KerberosConfig{Delegate: true}}, onward{delegated: true}},
		{"negotiate (SSPI), no delegation", winrm.Config{Auth: winrm.AuthNegotiate}, onward{}},
		{"ntlm", winrm.Config{Auth: winrm.AuthNTLM, Username: "svc", Password: secret.New("pw")}, onward{credential: &ops.Credential{User: "svc", Password: "pw"}}},
	} {
		if diff := cmp.Diff(tc.want, onwardOf(tc.cfg), cmp.AllowUnexported(onward{})); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}
