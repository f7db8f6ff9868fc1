package lab

// Sources of repadmin's English wording.
const (
	// goadCapture is a public capture of repadmin /syncall run over WinRM
	// (Ansible) on a DC: Orange-Cyberdefense/GOAD issue 140 and its
	// docs/mkdocs/docs/troobleshoot.md.
	goadCapture = "public capture, Orange-Cyberdefense/GOAD issue 140"
	// supportArticles are Microsoft's replication troubleshooting articles
	// (MicrosoftDocs/SupportArticles-docs: replication errors 1256, 8606,
	// -2146893022), which quote repadmin /replicate's failures.
	supportArticles = "Microsoft replication troubleshooting articles (MicrosoftDocs/SupportArticles-docs, errors 1256 and 8606)"
	// qaServerDown is repadmin's answer for a DC it cannot bind to, quoted
	// on Microsoft Q&A question 447731 ("LDAP error 81 (Server Down) Win32
	// Err 58").
	qaServerDown = "Microsoft Q&A question 447731"
	// csvScripts are public monitoring scripts that read repadmin
	// /showrepl * /csv with these column names, and the error row's
	// message from its fourth column.
	csvScripts = "public scripts reading repadmin /showrepl /csv (e.g. Repadmin-ShowRepl-HTMLReports.ps1)"
)

// repadminEnglish is repadmin's wording on an English Windows.
var repadminEnglish = messageTable{
	"columns":             {"Destination DSA Site,Destination DSA,Naming Context,Source DSA Site,Source DSA,Transport Type,Number of Failures,Last Failure Time,Last Success Time,Last Failure Status", csvScripts},
	"time":                {"2006-01-02 15:04:05", unverified},
	"ldap.error":          {"LDAP error %d (%s) Win32 Err %d.", qaServerDown},
	"showrepl.banner":     {"Repadmin: running command /showrepl against full DC %s", unverified},
	"showrepl.dc":         {"%s\\%s\r\nDSA Options: (none)\r\nSite Options: (none)\r\nDSA object GUID: %s\r\n\r\n==== INBOUND NEIGHBORS ======================================\r\n", unverified},
	"showrepl.via":        {"    %s\\%s via RPC\r\n        DSA object GUID: %s", unverified},
	"showrepl.success":    {"        Last attempt @ %s was successful.", unverified},
	"showrepl.failure":    {"        Last attempt @ %s failed, result %d (0x%x):", unverified},
	"showrepl.failures":   {"        %d consecutive failure(s).", unverified},
	"showrepl.lastOK":     {"        Last success @ %s.", unverified},
	"syncall.all":         {"Syncing all NC's held on %s.", goadCapture},
	"syncall.partition":   {"Syncing partition: %s", goadCapture},
	"syncall.inProgress":  {"CALLBACK MESSAGE: The following replication is in progress:", unverified},
	"syncall.completed":   {"CALLBACK MESSAGE: The following replication completed successfully:", unverified},
	"syncall.from":        {"    From: %s", unverified},
	"syncall.to":          {"    To  : %s", unverified},
	"syncall.contact":     {"CALLBACK MESSAGE: Error contacting server %s (network error): %d (0x%x):", goadCapture},
	"syncall.finished":    {"CALLBACK MESSAGE: SyncAll Finished.", unverified},
	"syncall.ok":          {"SyncAll terminated with no errors.", unverified},
	"syncall.summary":     {"SyncAll reported the following errors:", unverified},
	"syncall.issue":       {"Error issuing replication: %d (0x%x): %s", unverified},
	"syncall.fatal":       {"SyncAll exited with fatal Win32 error: %d (0x%x):", goadCapture},
	"replicate.ok":        {"Sync from %s to %s completed successfully.", unverified},
	"replicate.failed":    {"DsReplicaSync() failed with status %d (0x%x):", supportArticles},
	"replicate.bind":      {"DsBindWithCred to %s failed with status %d (0x%x):", unverified},
	"replicate.usage":     {"Error: The naming context and the source DSA are required.", unverified},
	"command.unknown":     {"Error: Unrecognized command \"%s\".", unverified},
	"command.help":        {"Type \"repadmin /?\" for help.", unverified},
	"ldap.serverDown":     {"Server Down", qaServerDown},
	"ldap.operationsErr":  {"Operations Error", unverified},
	"syncall.unknownHost": {"repadmin running command /syncall against full DC %s", unverified},
}

// repadminJapanese is repadmin's wording on a Japanese Windows. None of it
// comes from a capture yet: replace a line with a real one, and name its
// source, when one is found.
var repadminJapanese = messageTable{
	"columns":             {"宛先 DSA サイト,宛先 DSA,名前付けコンテキスト,ソース DSA サイト,ソース DSA,トランスポートの種類,エラーの数,最終エラー時刻,最終成功時刻,最終エラー状態", unverified},
	"time":                {"2006/01/02 15:04:05", unverified},
	"ldap.error":          {"LDAP エラー %d (%s) Win32 エラー %d。", unverified},
	"showrepl.banner":     {"Repadmin: 完全な DC %s に対してコマンド /showrepl を実行しています", unverified},
	"showrepl.dc":         {"%s\\%s\r\nDSA オプション: (なし)\r\nサイト オプション: (なし)\r\nDSA オブジェクト GUID: %s\r\n\r\n==== 入力方向の近隣サーバー ======================================\r\n", unverified},
	"showrepl.via":        {"    %s\\%s (RPC 経由)\r\n        DSA オブジェクト GUID: %s", unverified},
	"showrepl.success":    {"        %s の最後の試行は成功しました。", unverified},
	"showrepl.failure":    {"        %s の最後の試行は失敗しました。結果 %d (0x%x):", unverified},
	"showrepl.failures":   {"        %d 回連続して失敗しました。", unverified},
	"showrepl.lastOK":     {"        最後の成功 @ %s。", unverified},
	"syncall.all":         {"%s 上の NC をすべて同期しています。", unverified},
	"syncall.partition":   {"パーティションを同期しています: %s", unverified},
	"syncall.inProgress":  {"コールバック メッセージ: 次のレプリケーションが進行中です:", unverified},
	"syncall.completed":   {"コールバック メッセージ: 次のレプリケーションは正常に完了しました:", unverified},
	"syncall.from":        {"    送信元: %s", unverified},
	"syncall.to":          {"    送信先: %s", unverified},
	"syncall.contact":     {"コールバック メッセージ: サーバー %s への接続中にエラーが発生しました (ネットワーク エラー): %d (0x%x):", unverified},
	"syncall.finished":    {"コールバック メッセージ: SyncAll が終了しました。", unverified},
	"syncall.ok":          {"SyncAll はエラーなしで終了しました。", unverified},
	"syncall.summary":     {"SyncAll は次のエラーを報告しました:", unverified},
	"syncall.issue":       {"レプリケーションの発行中にエラーが発生しました: %d (0x%x): %s", unverified},
	"syncall.fatal":       {"SyncAll は致命的な Win32 エラーで終了しました: %d (0x%x):", unverified},
	"replicate.ok":        {"%s から %s への同期が正常に完了しました。", unverified},
	"replicate.failed":    {"DsReplicaSync() は状態 %d (0x%x) で失敗しました:", unverified},
	"replicate.bind":      {"%s への DsBindWithCred は状態 %d (0x%x) で失敗しました:", unverified},
	"replicate.usage":     {"エラー: 名前付けコンテキストとソース DSA が必要です。", unverified},
	"command.unknown":     {"エラー: 認識されないコマンド \"%s\" です。", unverified},
	"command.help":        {"ヘルプを表示するには \"repadmin /?\" と入力してください。", unverified},
	"ldap.serverDown":     {"Server Down", unverified},
	"ldap.operationsErr":  {"Operations Error", unverified},
	"syncall.unknownHost": {"repadmin: 完全な DC %s に対してコマンド /syncall を実行しています", unverified},
}
