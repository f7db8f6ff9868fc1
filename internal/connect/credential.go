package connect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/rectifyhq/rectify/actions"
	"github.com/rectifyhq/rectify/ops"
)

// credentialShell hands the ops that authenticate beyond the host
// (ops.NeedsCredential) what they authenticate with. In a session that
// holds delegated credentials (Kerberos with a forwarded TGT) they use
// those, as the plan says, and get nothing added: no password is needed,
// and none is sent to the host. Otherwise they get the credential of the
// host's WinRM account: it is added to their argument document, also to
// batch items, and the run's arguments are marked sensitive, so that they
// stay out of logs and errors. Nothing above the transport ever holds the
// password; plans and journals never see it.
type credentialShell struct {
	ops.Shell
	host string
	// onward says what the host's session authenticates onwards with.
	onward func() (onward, error)
}

// onward is what a host's session can authenticate beyond the host with:
// its own delegated credentials, or else an explicit credential, or
// neither (both zero).
type onward struct {
	delegated  bool
	credential *ops.Credential
}

var _ ops.Shell = credentialShell{}

// RunScript implements ops.Shell.
func (s credentialShell) RunScript(ctx context.Context, run ops.ScriptRun) (ops.ScriptResult, error) {
	switch {
	case ops.NeedsCredential(run.Script.Op):
		cred, err := s.need(run.Script.Op)
		if err != nil {
			return ops.ScriptResult{}, err
		}
		if cred == nil {
			// The session's delegated credentials reach the endpoint.
			break
		}
		args, err := withCredential(run.Args, cred)
		if err != nil {
			return ops.ScriptResult{}, actions.Errorf(actions.KindProtocol, actions.Permanent, s.host, run.Script.Op, "add the credential to the arguments: %v", err)
		}
		run.Args, run.SensitiveArgs = args, true
	case run.Script.Op == ops.Batch:
		args, sensitive, err := s.batchWithCredential(run.Args)
		if err != nil {
			return ops.ScriptResult{}, err
		}
		if sensitive {
			run.Args, run.SensitiveArgs = args, true
		}
	}
	return s.Shell.RunScript(ctx, run)
}

// need returns the credential an op needs: nil when the session's
// delegated credentials serve, or an error saying why there is none.
func (s credentialShell) need(op string) (*ops.Credential, error) {
	o, err := s.onward()
	switch {
	case err != nil:
		return nil, actions.Errorf(actions.KindAuth, actions.Permanent, s.host, op, "%v", err)
	case o.delegated:
		return nil, nil
	case o.credential == nil:
		return nil, &actions.TransportError{Kind: actions.KindAuth, Class: actions.Permanent, Host: s.host, Op: op,
			Err: errors.New("this op opens Exchange's management endpoint, which needs an explicit credential or delegated Kerberos credentials, and the inventory's WinRM authentication of the host provides neither (no password, no delegation)")}
	}
	return o.credential, nil
}

// batchWithCredential adds the credential to the items of a batch whose
// op needs one, and reports whether any did.
func (s credentialShell) batchWithCredential(raw json.RawMessage) (json.RawMessage, bool, error) {
	var batch struct {
		Items []struct {
			ID     string          `json:"id"`
			Script string          `json:"script"`
			Args   json.RawMessage `json:"args"`
		} `json:"items"`
	}
	if err := json.Unmarshal(raw, &batch); err != nil {
		return raw, false, nil // not a batch the engine built: passed on as it is
	}
	sensitive := false
	for i, it := range batch.Items {
		op, _, ok := ops.ParseMarker(it.Script)
		if !ok || !ops.NeedsCredential(op) {
			continue
		}
		cred, err := s.need(op)
		if err != nil {
			return nil, false, err
		}
		if cred == nil {
			continue
		}
		args, err := withCredential(it.Args, cred)
		if err != nil {
			return nil, false, actions.Errorf(actions.KindProtocol, actions.Permanent, s.host, op, "add the credential to the arguments: %v", err)
		}
		batch.Items[i].Args, sensitive = args, true
	}
	if !sensitive {
		return raw, false, nil
	}
	out, err := json.Marshal(batch)
	if err != nil {
		return nil, false, actions.Errorf(actions.KindProtocol, actions.Permanent, s.host, ops.Batch, "encode the batch: %v", err)
	}
	return out, true, nil
}

// withCredential sets the "credential" member of an argument document.
func withCredential(args json.RawMessage, cred *ops.Credential) (json.RawMessage, error) {
	doc := map[string]json.RawMessage{}
	if len(args) > 0 && string(args) != "null" {
		if err := json.Unmarshal(args, &doc); err != nil {
			return nil, fmt.Errorf("the arguments are not a JSON object: %w", err)
		}
	}
	c, err := json.Marshal(cred)
	if err != nil {
		return nil, err
	}
	doc["credential"] = c
	return json.Marshal(doc)
}
