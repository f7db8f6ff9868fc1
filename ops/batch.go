package ops

import "time"

// ItemBracket narrows [sent, received], the span of a batch command by the
// caller's clock, to the span in which one of its items ran: the item
// started at least beforeMicros after the command was sent and ended at
// least afterMicros before its answer was received (BatchItemResult's
// BeforeMicros and AfterMicros, timed by the host's monotonic clock). A
// reading taken inside the item is thus bracketed as closely as if it had
// been a command of its own, whatever the slow items around it.
//
// Timings that cannot hold (negative, or together longer than the command
// took) say nothing about the item: the whole span is returned, which is
// wider but true.
func ItemBracket(sent, received time.Time, beforeMicros, afterMicros int64) (from, to time.Time) {
	span := received.Sub(sent)
	before := time.Duration(beforeMicros) * time.Microsecond
	after := time.Duration(afterMicros) * time.Microsecond
	if beforeMicros < 0 || afterMicros < 0 || beforeMicros > int64(span/time.Microsecond) || afterMicros > int64(span/time.Microsecond) || before+after > span {
		return sent, received
	}
	return sent.Add(before), received.Add(-after)
}
