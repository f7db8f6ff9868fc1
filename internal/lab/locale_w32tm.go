package lab

// toolW32tm is the Windows Time service's command-line tool.
const toolW32tm = "w32tm"

// Sources of w32tm's English wording.
const (
	// w32tmCapture is a public capture of w32tm /config, /query /source
	// and /query /configuration /verbose on a domain member
	// (pastebin.com/huqtVwfj): "The command completed successfully.",
	// "Local CMOS Clock", and "Name: value (Local)" lines under
	// "[Configuration]" and "[TimeProviders]".
	w32tmCapture = "public capture of w32tm /config and /query (pastebin.com/huqtVwfj)"
	// vmicCapture is the source name w32tm /query /source prints on a
	// Hyper-V guest that takes its time from the host, quoted in public
	// notes on disabling the provider (gist gregjhogan/4a83c087).
	vmicCapture = "public notes on the VM IC time provider (gist.github.com/gregjhogan/4a83c087af0a54a9a600187b79a39d7f)"
)

// w32tmEnglish is w32tm's wording on an English Windows. A failure is
// "The following error occurred: <the Win32 text> (0x<HRESULT>)"; the
// Win32 texts are toolWin32's.
var w32tmEnglish = messageTable{
	"ok":                     {"The command completed successfully.", w32tmCapture},
	"error":                  {"The following error occurred: %s (0x%08X)", unverified},
	"resync.sending":         {"Sending resync command to local computer", unverified},
	"resync.noData":          {"The computer did not resync because no time data was available.", unverified},
	"stripchart.tracking":    {"Tracking %s [%s:123].", unverified},
	"stripchart.unresolved":  {"Tracking %s [error 0x%08X].", unverified},
	"stripchart.collecting":  {"Collecting %d samples.", unverified},
	"stripchart.now":         {"The current time is %s.", unverified},
	"stripchart.time":        {"1/2/2006 3:04:05 PM", unverified},
	"stripchart.sampleError": {"%s, error: 0x%08X", unverified},
	"source.local":           {"Local CMOS Clock", w32tmCapture},
	"source.free":            {"Free-running System Clock", unverified},
	"source.vmic":            {"VM IC Time Synchronization Provider", vmicCapture},
	"config.local":           {"Local", w32tmCapture},
	"config.policy":          {"Policy", unverified},
}

// w32tmJapanese is w32tm's wording on a Japanese Windows, written for the
// lab without a capture.
var w32tmJapanese = messageTable{
	"ok":                     {"コマンドは正しく完了しました。", unverified},
	"error":                  {"次のエラーが発生しました: %s (0x%08X)", unverified},
	"resync.sending":         {"ローカル コンピューターに再同期コマンドを送信しています", unverified},
	"resync.noData":          {"利用できる時刻データがなかったため、コンピューターは再同期されませんでした。", unverified},
	"stripchart.tracking":    {"%s [%s:123] を追跡しています。", unverified},
	"stripchart.unresolved":  {"%s [エラー 0x%08X] を追跡しています。", unverified},
	"stripchart.collecting":  {"%d サンプルを収集しています。", unverified},
	"stripchart.now":         {"現在の時刻は %s です。", unverified},
	"stripchart.time":        {"2006/01/02 15:04:05", unverified},
	"stripchart.sampleError": {"%s, エラー: 0x%08X", unverified},
	"source.local":           {"ローカル CMOS クロック", unverified},
	"source.free":            {"フリー ランニング システム クロック", unverified},
	"source.vmic":            {"VM IC Time Synchronization Provider", unverified},
	"config.local":           {"ローカル", unverified},
	"config.policy":          {"ポリシー", unverified},
}
