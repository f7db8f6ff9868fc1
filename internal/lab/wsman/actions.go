package wsman

import (
	"context"
	"strings"
	"time"
)

// Response actions.
const (
	actionCreateResponse  = nsTransfer + "/CreateResponse"
	actionDeleteResponse  = nsTransfer + "/DeleteResponse"
	actionCommandResponse = nsShell + "/CommandResponse"
	actionSendResponse    = nsShell + "/SendResponse"
	actionReceiveResponse = nsShell + "/ReceiveResponse"
	actionSignalResponse  = nsShell + "/SignalResponse"
)

// sweepLocked closes shells idle for longer than the idle timeout; h.mu
// must be held. Expiry is checked on each request instead of by a timer, so
// that an idle host costs no goroutine.
func (h *Host) sweepLocked(now time.Time) {
	for id, sh := range h.shells {
		if sh.expired(now, h.srv.opts.IdleTimeout) {
			sh.close()
			delete(h.shells, id)
		}
	}
}

// shellLocked finds a live shell and marks it used; h.mu must be held.
func (h *Host) shellLocked(id string) (*shell, error) {
	now := h.srv.now()
	h.sweepLocked(now)
	sh, ok := h.shells[strings.ToUpper(id)]
	if !ok || id == "" {
		return nil, faultShellNotFound(id)
	}
	sh.lastUsed = now
	return sh, nil
}

func (h *Host) create(req *request, logon Logon, ip string) (string, string, error) {
	input, output := "stdin", "stdout stderr"
	if req.Shell != nil {
		if s := strings.TrimSpace(req.Shell.InputStreams); s != "" {
			input = s
		}
		if s := strings.TrimSpace(req.Shell.OutputStreams); s != "" {
			output = s
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.sweepLocked(h.srv.now())
	if len(h.shells) >= h.srv.opts.MaxShellsPerHost {
		return "", "", faultQuotaShells(h.srv.opts.MaxShellsPerHost)
	}
	sh := &shell{
		id:       newGUID(),
		logon:    logon,
		input:    input,
		output:   output,
		lastUsed: h.srv.now(),
		commands: make(map[string]*command),
	}
	h.shells[sh.id] = sh
	return actionCreateResponse, createdBody(h.url, sh.id, logon.User, ip, input, output, h.srv.opts.IdleTimeout), nil
}

func (h *Host) command(req *request) (string, string, error) {
	if req.CommandLine == nil {
		return "", "", faultInvalidBody("rsp:CommandLine is missing")
	}
	cmd := newCommand(req.CommandLine.Command, req.CommandLine.Arguments)
	if cmd.Executable == "" {
		return "", "", faultInvalidBody("rsp:Command is empty")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	sh, err := h.shellLocked(req.ShellID)
	if err != nil {
		return "", "", err
	}
	// The command outlives this request: its context ends when it is
	// terminated, its shell deleted or expired, or the host closed.
	ctx, cancel := context.WithCancel(context.Background())
	c := newRunningCommand(newGUID(), cancel)
	cmd.Logon = sh.logon
	sh.commands[c.id] = c
	c.start(ctx, h.srv.opts.Runner, h.name, cmd)
	return actionCommandResponse, commandBody(c.id), nil
}

// commandLocked finds a command of a live shell; h.mu must be held.
func (h *Host) commandLocked(shellID, commandID string) (*shell, *command, error) {
	sh, err := h.shellLocked(shellID)
	if err != nil {
		return nil, nil, err
	}
	c, ok := sh.commands[strings.ToUpper(strings.TrimSpace(commandID))]
	if !ok {
		return nil, nil, faultCommandNotFound()
	}
	return sh, c, nil
}

func (h *Host) send(req *request) (string, string, error) {
	if req.Send == nil || len(req.Send.Streams) == 0 {
		return "", "", faultInvalidBody("rsp:Send holds no stream")
	}
	type chunk struct {
		c    *command
		data []byte
		eof  bool
	}
	var chunks []chunk
	h.mu.Lock()
	for _, s := range req.Send.Streams {
		_, c, err := h.commandLocked(req.ShellID, s.CommandID)
		if err != nil {
			h.mu.Unlock()
			return "", "", err
		}
		if s.Name != "stdin" {
			h.mu.Unlock()
			return "", "", faultInvalidBody("stream " + s.Name + " is not an input stream")
		}
		data, err := decodeStdin(strings.TrimSpace(s.Data))
		if err != nil {
			h.mu.Unlock()
			return "", "", faultInvalidBody("stream data is not base64")
		}
		chunks = append(chunks, chunk{c, data, strings.EqualFold(s.End, "true")})
	}
	h.mu.Unlock()
	for _, ch := range chunks {
		ch.c.send(ch.data, ch.eof)
	}
	return actionSendResponse, `<rsp:SendResponse/>`, nil
}

func (h *Host) receive(ctx context.Context, req *request) (string, string, error) {
	if req.Receive == nil {
		return "", "", faultInvalidBody("rsp:Receive is missing")
	}
	id := req.Receive.DesiredStream.CommandID
	h.mu.Lock()
	_, c, err := h.commandLocked(req.ShellID, id)
	h.mu.Unlock()
	if err != nil {
		return "", "", err
	}
	timeout := req.OperationTimeout
	if timeout <= 0 {
		timeout = DefaultOperationTimeout
	}
	timeout = min(timeout, MaxOperationTimeout)
	// Output travels base64-encoded (4/3 larger) inside an envelope that
	// must fit the smaller of the client's and the server's limits.
	limit := int(h.maxEnvelope())
	if req.MaxEnvelopeSize > 0 {
		limit = min(limit, req.MaxEnvelopeSize)
	}
	budget := max((limit-2048)*3/4, 1024)
	stalled := func() bool { return h.Faults().StallCommands }
	want := parseDesired(req.Receive.DesiredStream.Streams)
	r, err := c.receive(ctx, timeout, budget, want, stalled)
	if err != nil {
		return "", "", err
	}
	return actionReceiveResponse, receivedBody(c.id, r.stdout, r.stderr, r.done, r.exitCode), nil
}

func (h *Host) signal(req *request) (string, string, error) {
	if req.Signal == nil {
		return "", "", faultInvalidBody("rsp:Signal is missing")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	sh, c, err := h.commandLocked(req.ShellID, req.Signal.CommandID)
	if err != nil {
		return "", "", err
	}
	switch strings.TrimSpace(req.Signal.Code) {
	case signalTerminate:
		c.terminate()
		delete(sh.commands, c.id)
	case signalCtrlC, signalCtrlBreak:
		c.terminate()
	default:
		return "", "", faultInvalidBody("unknown signal code")
	}
	return actionSignalResponse, `<rsp:SignalResponse/>`, nil
}

func (h *Host) delete(req *request) (string, string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	sh, err := h.shellLocked(req.ShellID)
	if err != nil {
		return "", "", err
	}
	sh.close()
	delete(h.shells, sh.id)
	return actionDeleteResponse, "", nil
}
