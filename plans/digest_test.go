package plans

import "testing"

func TestShortDigest(t *testing.T) {
	tests := []struct{ in, want string }{
		{"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "sha256:0123456789ab"},
		{"sha256:0123456789ab", "sha256:0123456789ab"},
		{"sha256:0123", "sha256:0123"},
		{"0123456789abcdef", "0123456789ab"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := ShortDigest(tt.in); got != tt.want {
			t.Errorf("ShortDigest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
