package service

import "context"

// Request is what the service manager asks of a running service.
type Request int

// The requests a service acts on.
const (
	// Interrogate asks for the current state again.
	Interrogate Request = iota
	// Stop asks the service to stop (sc.exe stop, the Services console).
	Stop
	// Shutdown says that the machine is shutting down.
	Shutdown
)

// State is a state the service reports.
type State int

// The states a service passes through.
const (
	StartPending State = iota
	Running
	StopPending
	Stopped
)

// String names s as the service manager does.
func (s State) String() string {
	switch s {
	case StartPending:
		return "START_PENDING"
	case Running:
		return "RUNNING"
	case StopPending:
		return "STOP_PENDING"
	case Stopped:
		return "STOPPED"
	}
	return "UNKNOWN"
}

// Serve runs run as a service: it reports StartPending, then Running
// while run runs, and answers the manager's requests. A stop or shutdown
// cancels run's context and reports StopPending until run returns; then
// Stopped. It returns run's exit code. run must return soon after its
// context is done.
func Serve(ctx context.Context, requests <-chan Request, report func(State), run func(context.Context) int) int {
	report(StartPending)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan int, 1)
	go func() { done <- run(ctx) }()
	state := Running
	report(state)
	for {
		select {
		case code := <-done:
			report(Stopped)
			return code
		case r, ok := <-requests:
			if !ok {
				requests = nil
				continue
			}
			switch r {
			case Interrogate:
				report(state)
			case Stop, Shutdown:
				if state != StopPending {
					state = StopPending
					report(state)
					cancel()
				}
			}
		}
	}
}
