package lab

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/rectifyhq/rectify/ops"
)

// maxEventsPerLog bounds each event log, as Windows bounds a log's size:
// the oldest records are overwritten.
const maxEventsPerLog = 512

// Event levels as Get-WinEvent's LevelDisplayName reports them.
const (
	LevelError       = "Error"
	LevelWarning     = "Warning"
	LevelInformation = "Information"
)

// Event is one event log record.
type Event struct {
	Log      string // "System", "Application"
	Provider string
	ID       int
	Time     time.Time // UTC, on the host's clock
	Level    string
	Category string
	Message  string
	Data     map[string]string
	// RecordID is the record's number in its log, from 1, given when it is
	// logged.
	RecordID uint64
}

// eventLog is one host's event logs, oldest record first. It is guarded by
// the owning host's mutex.
type eventLog struct {
	logs map[string][]Event // by folded log name
	next map[string]uint64  // the last record ID given, by folded log name
}

// knownLogs are the logs every simulated host has.
var knownLogs = []string{"System", "Application"}

func newEventLog() eventLog {
	l := eventLog{logs: map[string][]Event{}, next: map[string]uint64{}}
	for _, name := range knownLogs {
		l.logs[strings.ToLower(name)] = nil
	}
	return l
}

func (l *eventLog) append(e Event) {
	key := strings.ToLower(e.Log)
	l.next[key]++
	e.RecordID = l.next[key]
	list := l.logs[key]
	if len(list) >= maxEventsPerLog {
		list = append(list[:0], list[1:]...)
	}
	l.logs[key] = append(list, e)
}

// query returns matching events, newest first; ok is false when the log
// does not exist.
func (l *eventLog) query(args ops.EventsQueryArgs, since time.Time) (out []Event, ok bool) {
	list, ok := l.logs[strings.ToLower(args.Log)]
	if !ok {
		return nil, false
	}
	for i := len(list) - 1; i >= 0; i-- {
		e := list[i]
		if args.Provider != "" && !strings.EqualFold(e.Provider, args.Provider) {
			continue
		}
		if len(args.IDs) > 0 && !slices.Contains(args.IDs, e.ID) {
			continue
		}
		if !since.IsZero() && e.Time.Before(since) {
			continue
		}
		e.Data = maps.Clone(e.Data)
		out = append(out, e)
		if args.Max > 0 && len(out) == args.Max {
			break
		}
	}
	return out, true
}

// opsEvent renders an event as the events.query op reports it.
func opsEvent(e Event) ops.Event {
	return ops.Event{
		Time:     e.Time.UTC().Format("2006-01-02T15:04:05.0000000Z"),
		ID:       e.ID,
		Provider: e.Provider,
		Level:    e.Level,
		Message:  e.Message,
		Data:     e.Data,
	}
}
