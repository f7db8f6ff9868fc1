package lab

// toolWevtutil is wevtutil.exe, the event log's command-line tool.
const toolWevtutil = "wevtutil"

// wevtutilEnglish is wevtutil's wording on an English Windows: its
// failure line and the labels of /f:text, and the event levels' display
// names.
var wevtutilEnglish = messageTable{
	"failed":            {"Failed to read events. %s", unverified},
	"event":             {"Event[%d]:", unverified},
	"logName":           {"Log Name", unverified},
	"source":            {"Source", unverified},
	"date":              {"Date", unverified},
	"eventID":           {"Event ID", unverified},
	"task":              {"Task", unverified},
	"level":             {"Level", unverified},
	"opcode":            {"Opcode", unverified},
	"keyword":           {"Keyword", unverified},
	"user":              {"User", unverified},
	"userName":          {"User Name", unverified},
	"computer":          {"Computer", unverified},
	"description":       {"Description", unverified},
	"level.error":       {"Error", "Microsoft Learn, Get-WinEvent (LevelDisplayName)"},
	"level.warning":     {"Warning", "Microsoft Learn, Get-WinEvent (LevelDisplayName)"},
	"level.information": {"Information", "Microsoft Learn, Get-WinEvent (LevelDisplayName)"},
}

// wevtutilJapanese is the same on a Japanese Windows, written for the lab
// without a capture.
var wevtutilJapanese = messageTable{
	"failed":            {"イベントを読み取れませんでした。%s", unverified},
	"event":             {"イベント[%d]:", unverified},
	"logName":           {"ログの名前", unverified},
	"source":            {"ソース", unverified},
	"date":              {"日付", unverified},
	"eventID":           {"イベント ID", unverified},
	"task":              {"タスク", unverified},
	"level":             {"レベル", unverified},
	"opcode":            {"オペコード", unverified},
	"keyword":           {"キーワード", unverified},
	"user":              {"ユーザー", unverified},
	"userName":          {"ユーザー名", unverified},
	"computer":          {"コンピューター", unverified},
	"description":       {"説明", unverified},
	"level.error":       {"エラー", unverified},
	"level.warning":     {"警告", unverified},
	"level.information": {"情報", unverified},
}
