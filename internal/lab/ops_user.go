package lab

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/rectifyhq/rectify/ops"
)

// userOp answers the scripts of a user's windows.powershell step, whose
// markers name them "user.<name>". The lab cannot run a user's PowerShell,
// so it keeps, per host, a state document per name: an apply script (its
// name ends in "_set" or "_apply") stores the desired document it receives
// and prints it; a check script prints the stored document of its name, or
// null when nothing was applied. The catalog's own user.script answers
// with the input it received and the host it ran on.
func userOp(op string) opHandler {
	return func(_ context.Context, c *opCall) (any, *scriptError) {
		if op == ops.UserScript {
			var args ops.UserScriptArgs
			if err := c.decode(&args); err != nil {
				return nil, err
			}
			return map[string]any{"host": c.host.NetBIOS, "input": args.Input}, nil
		}
		var args struct {
			Desired json.RawMessage `json:"desired"`
			Current json.RawMessage `json:"current"`
		}
		if err := c.decode(&args); err != nil {
			return nil, err
		}
		name := strings.TrimPrefix(op, "user.")
		for _, suffix := range []string{"_set", "_apply"} {
			if key, ok := strings.CutSuffix(name, suffix); ok && key != "" {
				desired := args.Desired
				if len(desired) == 0 {
					desired = json.RawMessage("null")
				}
				c.host.setUserState(key, desired)
				return desired, nil
			}
		}
		return c.host.userState(name), nil
	}
}

// userState returns the state document stored for a user script name.
func (h *Host) userState(name string) json.RawMessage {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s, ok := h.user[name]; ok {
		return append(json.RawMessage(nil), s...)
	}
	return json.RawMessage("null")
}

func (h *Host) setUserState(name string, doc json.RawMessage) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.user == nil {
		h.user = map[string]json.RawMessage{}
	}
	h.user[name] = append(json.RawMessage(nil), doc...)
}
