package actions

import (
	"errors"
	"fmt"
	"testing"

	"github.com/rectifyhq/rectify/ops"
)

func TestKindOf(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		kind      Kind
		retryable bool
	}{
		{"transport error", Errorf(KindTimeout, Retryable, "ex01", "time.read", "deadline"), KindTimeout, true},
		{"wrapped transport error", fmt.Errorf("read: %w", Errorf(KindScript, Permanent, "ex01", "time.read", "exit 1")), KindScript, false},
		{"an answer that is no result document", fmt.Errorf("apply: %w", &ops.AnswerError{Host: "ex01", Op: ops.QueueRetry, Err: errors.New("bad")}), KindProtocol, false},
		{"another error", errors.New("plain"), "", false},
		{"no error", nil, "", false},
	}
	for _, tt := range tests {
		if got := KindOf(tt.err); got != tt.kind {
			t.Errorf("%s: KindOf = %q, want %q", tt.name, got, tt.kind)
		}
		if got := IsRetryable(tt.err); got != tt.retryable {
			t.Errorf("%s: IsRetryable = %v, want %v", tt.name, got, tt.retryable)
		}
	}
}
