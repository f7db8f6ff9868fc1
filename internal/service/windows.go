//go:build windows

package service

import (
	"context"

	"golang.org/x/sys/windows/svc"
)

// IsService reports whether the process was started by the Windows
// service manager.
func IsService() (bool, error) { return svc.IsWindowsService() }

// Run runs run as the Windows service name until it returns or the
// manager stops the service, and returns its exit code.
func Run(name string, run func(context.Context) int) (int, error) {
	h := &handler{run: run}
	if err := svc.Run(name, h); err != nil {
		return 1, err
	}
	return h.code, nil
}

// handler adapts Serve to the service manager's protocol.
type handler struct {
	run  func(context.Context) int
	code int
}

const accepts = svc.AcceptStop | svc.AcceptShutdown

var toSvc = map[State]svc.State{StartPending: svc.StartPending, Running: svc.Running, StopPending: svc.StopPending, Stopped: svc.Stopped}

// Execute implements svc.Handler.
func (h *handler) Execute(_ []string, changes <-chan svc.ChangeRequest, status chan<- svc.Status) (bool, uint32) {
	requests := make(chan Request)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			select {
			case <-stop:
				return
			case c := <-changes:
				var r Request
				switch c.Cmd {
				case svc.Stop:
					r = Stop
				case svc.Shutdown:
					r = Shutdown
				case svc.Interrogate:
					r = Interrogate
				default:
					continue
				}
				select {
				case requests <- r:
				case <-stop:
					return
				}
			}
		}
	}()
	report := func(s State) {
		if s == Stopped {
			return // the manager is told when Execute returns
		}
		st := svc.Status{State: toSvc[s]}
		if s == Running {
			st.Accepts = accepts
		}
		status <- st
	}
	h.code = Serve(context.Background(), requests, report, h.run)
	if h.code != 0 {
		// rectify's own exit code, as a service-specific error.
		return true, uint32(h.code)
	}
	return false, 0
}
