package lab

// toolReg is reg.exe, the registry's command-line tool.
const toolReg = "reg"

// regEnglish is reg.exe's wording on an English Windows.
var regEnglish = messageTable{
	"notFound":      {"ERROR: The system was unable to find the specified registry key or value.", unverified},
	"invalidKey":    {"ERROR: Invalid key name.", unverified},
	"invalidSyntax": {"ERROR: Invalid syntax.", unverified},
	"usage":         {"Type \"REG%s /?\" for usage.", unverified},
	"endOfSearch":   {"End of search: %d match(es) found.", unverified},
}

// regJapanese is reg.exe's wording on a Japanese Windows, written for the
// lab without a capture.
var regJapanese = messageTable{
	"notFound":      {"エラー: 指定されたレジストリ キーまたは値が見つかりませんでした。", unverified},
	"invalidKey":    {"エラー: 無効なキー名です。", unverified},
	"invalidSyntax": {"エラー: 無効な構文です。", unverified},
	"usage":         {"使用法を表示するには、\"REG%s /?\" と入力してください。", unverified},
	"endOfSearch":   {"検索の終わり: %d 個の一致が見つかりました。", unverified},
}
