package lab

import "github.com/rectifyhq/rectify/ops"

// Queue statuses as Get-Queue reports them.
const (
	QueueReady  = "Ready"
	QueueRetry  = "Retry"
	QueueActive = "Active"
)

// DeliveryRelayToMailbox is the delivery type of a queue to another
// Mailbox server's delivery group.
const DeliveryRelayToMailbox = "SmtpRelayToMailboxDeliveryGroup"

// Error454 is the Last Error of a queue whose next hop refused Exchange
// Server authentication.
const Error454 = `451 4.4.0 Primary target IP address responded with: "454 4.7.0 Temporary authentication failure." Attempted failover to alternate host, but that did not succeed. Either there are no alternate hosts, or delivery failed to all alternate hosts.`

// Queue is one transport queue of an Exchange server: mail waiting for one
// receiving server.
type Queue struct {
	Identity      string // "EX01\3"
	DeliveryType  string
	Status        string
	MessageCount  int
	NextHopDomain string
	LastError     string
	// Receiver is the lab host the queue delivers to.
	Receiver string
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
	}
}
