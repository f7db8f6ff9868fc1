package lab

import (
	"time"

	"github.com/rectifyhq/rectify/ops"
)

// Queue statuses as Get-Queue reports them.
const (
	QueueReady     = ops.QueueStatusReady
	QueueRetry     = ops.QueueStatusRetry
	QueueActive    = ops.QueueStatusActive
	QueueSuspended = ops.QueueStatusSuspended
)

// DeliveryRelayToMailbox is the delivery type of a queue to another
// Mailbox server's delivery group.
const DeliveryRelayToMailbox = "SmtpRelayToMailboxDeliveryGroup"

// Error454 is the Last Error of a queue whose next hop refused Exchange
// Server authentication.
const Error454 = `451 4.4.0 Primary target IP address responded with: "454 4.7.0 Temporary authentication failure." Attempted failover to alternate host, but that did not succeed. Either there are no alternate hosts, or delivery failed to all alternate hosts.`

// retryInterval is how long a queue waits after a failed attempt before
// Exchange tries again by itself (TransientFailureRetryInterval, 5 minutes
// by default on 2013 and later). The lab does not retry by itself: it
// shows the time, and only Retry-Queue starts an attempt.
const retryInterval = 5 * time.Minute

// defaultAttemptDelay is how long after Retry-Queue the outcome of the
// delivery attempt it starts shows: until then the queue is Active and
// keeps its last error, so a client that reads it back at once sees no
// outcome yet.
const defaultAttemptDelay = 400 * time.Millisecond

// Queue is one transport queue of an Exchange server: mail waiting for one
// receiving server.
type Queue struct {
	Identity      string // "EX01\3"
	DeliveryType  string
	Status        string
	MessageCount  int
	NextHopDomain string
	LastError     string
	// LastRetryTime and NextRetryTime are by the sender's clock; zero when
	// the queue has none.
	LastRetryTime time.Time
	NextRetryTime time.Time
	// Receiver is the lab host the queue delivers to.
	Receiver string

	// attempt is the delivery attempt under way, if any.
	attempt *deliveryAttempt
}

// deliveryAttempt is an attempt started by Retry-Queue: its outcome (the
// causes that stood when it was made) lands on the queue at due, by the
// real clock, so that the attempt takes time whatever the hosts' clocks.
type deliveryAttempt struct {
	due    time.Time
	at     time.Time // by the sender's clock
	failed bool
}

// opsQueue renders a queue as exchange.queue.get reports it.
func (q Queue) opsQueue() ops.Queue {
	return ops.Queue{
		Identity:      q.Identity,
		DeliveryType:  q.DeliveryType,
		Status:        q.Status,
		MessageCount:  q.MessageCount,
		NextHopDomain: q.NextHopDomain,
		LastError:     q.LastError,
		LastRetryTime: isoTime(q.LastRetryTime),
		NextRetryTime: isoTime(q.NextRetryTime),
	}
}

// isoTime renders a time as the queue scripts do: RFC 3339 UTC to the
// second, "" for none.
func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// settled reports whether the queue shows the outcome of every attempt
// started at or after since (by the sender's clock), as exchange.queue.retry
// judges it: gone, Suspended, Ready with no messages, or in Retry with a
// LastRetryTime at or after since.
func (q Queue) settled(since time.Time) bool {
	switch q.Status {
	case QueueSuspended:
		return true
	case QueueReady:
		return q.MessageCount == 0
	case QueueRetry:
		return !q.LastRetryTime.IsZero() && !q.LastRetryTime.Before(since.Truncate(time.Second))
	}
	return false
}
