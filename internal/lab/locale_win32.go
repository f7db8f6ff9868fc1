package lab

// The tools whose sentences the lab localizes.
const (
	toolRepadmin = "repadmin"
	// toolWin32 is the system's message table: the text FormatMessage gives
	// for a Win32 error code, which tools print after the code.
	toolWin32 = "win32"
)

// systemErrorCodes is where Microsoft lists the English text of every
// Win32 error code.
const systemErrorCodes = "Microsoft Learn, System Error Codes (learn.microsoft.com/windows/win32/debug/system-error-codes)"

// win32English are the English texts of the Win32 codes the lab's tools
// report, by decimal code.
var win32English = messageTable{
	"0":     {"The operation completed successfully.", systemErrorCodes},
	"5":     {"Access is denied.", systemErrorCodes},
	"87":    {"The parameter is incorrect.", systemErrorCodes},
	"1062":  {"The service has not been started.", systemErrorCodes},
	"1460":  {"This operation returned because the timeout period expired.", systemErrorCodes},
	"1722":  {"The RPC server is unavailable.", systemErrorCodes},
	"1753":  {"There are no more endpoints available from the endpoint mapper.", systemErrorCodes},
	"8224":  {"An operations error occurred.", systemErrorCodes},
	"8440":  {"The naming context specified for this replication operation is invalid.", systemErrorCodes + "; also the public capture in Orange-Cyberdefense/GOAD issue 140"},
	"8452":  {"The naming context is in the process of being removed or is not replicated from the specified server.", systemErrorCodes},
	"8453":  {"Replication access was denied.", systemErrorCodes},
	"8524":  {"The DSA operation is unable to proceed because of a DNS lookup failure.", systemErrorCodes},
	"11001": {"No such host is known.", "Microsoft Learn, Windows Sockets Error Codes (WSAHOST_NOT_FOUND)"},
	"15001": {"The specified query is invalid.", systemErrorCodes},
	"15007": {"The specified channel could not be found.", systemErrorCodes},
	"other": {"The operation failed.", unverified},
}

// win32Japanese are the same texts on a Japanese Windows.
var win32Japanese = messageTable{
	"0":     {"この操作を正しく終了しました。", unverified},
	"5":     {"アクセスが拒否されました。", unverified},
	"87":    {"パラメーターが間違っています。", unverified},
	"1062":  {"サービスは開始されていません。", unverified},
	"1460":  {"タイムアウト期間が経過したため、この操作は終了しました。", unverified},
	"1722":  {"RPC サーバーを利用できません。", "Microsoft KB 2102154, Japanese edition (support.microsoft.com/ja-jp/help/2102154): the error text of replication error 1722"},
	"1753":  {"エンドポイント マッパーから使用できるエンドポイントはこれ以上ありません。", unverified},
	"8224":  {"操作エラーが発生しました。", unverified},
	"8440":  {"このレプリケーション操作に指定された名前付けコンテキストは無効です。", unverified},
	"8452":  {"名前付けコンテキストは削除中であるか、指定されたサーバーからレプリケートされていません。", unverified},
	"8453":  {"レプリケーション アクセスが拒否されました。", unverified},
	"8524":  {"DNS 参照エラーのため、DSA 操作を続行できません。", unverified},
	"11001": {"そのようなホストは不明です。", unverified},
	"15001": {"指定されたクエリは無効です。", unverified},
	"15007": {"指定されたチャネルが見つかりませんでした。", unverified},
	"other": {"操作は失敗しました。", unverified},
}
