package ops

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseReplicate(t *testing.T) {
	tests := []struct {
		fixture string
		exit    int
		want    ReplicateResult
	}{
		{"repadmin/replicate_ok_unverified.txt", 0, ReplicateResult{OK: true}},
		{"repadmin/replicate_ok_ja_unverified.txt", 0, ReplicateResult{OK: true}},
		{"repadmin/replicate_failed_1722_supportarticles.txt", 1, ReplicateResult{Status: 1722, ExitCode: 1, Message: "The RPC server is unavailable."}},
		{"repadmin/replicate_failed_ja_unverified.txt", 1, ReplicateResult{Status: 1722, ExitCode: 1, Message: "で失敗しました: RPC サーバーを利用できません。"}},
		// A status printed with exit code 0 is still a failure, and a
		// nonzero exit code without a status too.
		{"repadmin/replicate_failed_1722_supportarticles.txt", 0, ReplicateResult{Status: 1722, Message: "The RPC server is unavailable."}},
		{"repadmin/replicate_ok_unverified.txt", 5, ReplicateResult{ExitCode: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			got := ParseReplicate(CommandRun{Command: "repadmin /replicate DC02 DC01 DC=corp,DC=example,DC=com", ExitCode: tt.exit, Output: readFixture(t, tt.fixture)})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFindStatus(t *testing.T) {
	tests := []struct {
		line string
		code int
		ok   bool
	}{
		{"DsReplicaSync() failed with status 1722 (0x6ba):", 1722, true},
		{"DsReplicaSync() failed with status -2146893022 (0x80090322):", -2146893022, true},
		{"SyncAll exited with fatal Win32 error: 8440 (0x20f8):", 8440, true},
		{"a date 2026 (0x1) that does not agree", 0, false},
		{"LDAP error 81 (Server Down) Win32 Err 58.", 0, false},
		{"no status at all", 0, false},
	}
	for _, tt := range tests {
		code, _, _, ok := findStatus(tt.line)
		if code != tt.code || ok != tt.ok {
			t.Errorf("findStatus(%q) = %d, %v; want %d, %v", tt.line, code, ok, tt.code, tt.ok)
		}
	}
}
