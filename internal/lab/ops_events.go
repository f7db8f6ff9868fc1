package lab

import (
	"context"
	"time"

	"github.com/rectifyhq/rectify/ops"
)

func eventsQuery(_ context.Context, c *opCall) (any, *scriptError) {
	var args ops.EventsQueryArgs
	if err := c.decode(&args); err != nil {
		return nil, err
	}
	var since time.Time
	if args.Since != "" {
		t, err := time.Parse(time.RFC3339Nano, args.Since)
		if err != nil {
			return nil, cmdletError("Get-WinEvent", "InvalidArgument: (:) [Get-WinEvent], ParameterBindingException", "CannotConvertArgumentNoMessage",
				"Cannot bind parameter 'FilterHashtable'. Cannot convert value %q to type \"System.DateTime\".", args.Since)
		}
		since = t
	}
	c.host.mu.Lock()
	found, ok := c.host.events.query(args, since)
	c.host.mu.Unlock()
	if !ok {
		return nil, cmdletError("Get-WinEvent", "ObjectNotFound: ("+args.Log+":String) [Get-WinEvent], Exception", "NoMatchingLogsFound",
			"There is not an event log on the localhost computer that matches \"%s\".", args.Log)
	}
	res := ops.EventsQueryResult{Events: []ops.Event{}}
	for _, e := range found {
		ev := opsEvent(e)
		ev.Message = c.org.eventMessage(e)
		res.Events = append(res.Events, ev)
	}
	return res, nil
}
