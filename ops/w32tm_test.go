package ops

import "testing"

func TestParseW32tm(t *testing.T) {
	tests := []struct {
		name string
		run  CommandRun
		want W32tmOutcome
	}{
		{"success", CommandRun{Output: "The command completed successfully."}, W32tmOutcome{}},
		{"success in Japanese", CommandRun{Output: "コマンドは正しく完了しました。"}, W32tmOutcome{}},
		{"service stopped", CommandRun{ExitCode: 1, Output: "The following error occurred: The service has not been started. (0x80070426)"}, W32tmOutcome{Failed: true, HRESULT: "0x80070426"}},
		{"failure in Japanese with exit code 0", CommandRun{Output: "次のエラーが発生しました: サービスは開始されていません。 (0x80070426)"}, W32tmOutcome{Failed: true, HRESULT: "0x80070426"}},
		{"sample error, lower case", CommandRun{Output: "08:23:44, error: 0x800705b4"}, W32tmOutcome{Failed: true, HRESULT: "0x800705B4"}},
		{"no time data: only the exit code", CommandRun{ExitCode: 1, Output: "The computer did not resync because no time data was available."}, W32tmOutcome{Failed: true}},
		{"a success code is no failure", CommandRun{Output: "Flags 0x00000009"}, W32tmOutcome{}},
	}
	for _, tt := range tests {
		if got := ParseW32tm(tt.run); got != tt.want {
			t.Errorf("%s: %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestParseVMwareTimeSync(t *testing.T) {
	for _, tt := range []struct {
		run  *CommandRun
		want VMwareTimeSync
	}{
		{nil, VMwareTimeSyncAbsent},
		{&CommandRun{Output: "Enabled\r\n"}, VMwareTimeSyncEnabled},
		{&CommandRun{Output: "Disabled"}, VMwareTimeSyncDisabled},
		{&CommandRun{ExitCode: 1, Output: "Unknown command"}, VMwareTimeSyncUnknown},
	} {
		if got := ParseVMwareTimeSync(tt.run); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.run, got, tt.want)
		}
	}
}
