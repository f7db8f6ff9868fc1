package lab

// toolEvents are the message tables of the event providers the lab logs
// for: Windows stores an event's insertion strings and renders its message
// from the provider's table in the system's language when the log is read.
const toolEvents = "events"

// Sources of the events' English messages.
const (
	// kbText is the KB's own text of event 1035 (Microsoft KB 979174).
	kbText = "Microsoft KB 979174 (English edition), the event 1035 description"
	// kdc11 is Microsoft Learn's page on KDC event 11.
	kdc11 = "Microsoft Learn, Event ID 11 — Service Principal Name Configuration (cc733945)"
	// event4Captures are public captures of Kerberos event 4 (e.g.
	// joshroark.com, "KRB_AP_ERR_MODIFIED is not always an SPN problem").
	event4Captures = "public captures of Kerberos event 4"
)

// eventsEnglish are the messages on an English Windows, by event.
var eventsEnglish = messageTable{
	"1035":       {"Inbound authentication failed with error %s for Receive connector %s. The authentication mechanism is %s. The source IP address of the client who tried to authenticate to Microsoft Exchange is [%s].", kbText},
	"kerberos.3": {"A Kerberos error message was received:\r\n on logon session %s\r\n Client Time: \r\n Server Time: %s\r\n Error Code: %s %s\r\n Extended Error: \r\n Client Realm: \r\n Client Name: \r\n Server Realm: %s\r\n Server Name: %s\r\n Target Name: %s\r\n Error Text: \r\n File: 9\r\n Line: f09\r\n Error Data is in record data.", unverified},
	"kerberos.4": {"The Kerberos client received a KRB_AP_ERR_MODIFIED error from the server %s. The target name used was %s. This indicates that the target server failed to decrypt the ticket provided by the client. This can occur when the target server principal name (SPN) is registered on an account other than the account the target service is using. Ensure that the target SPN is only registered on the account used by the server. This error can also happen if the target service account password is different than what is configured on the Kerberos Key Distribution Center for that target service. Ensure that the service on the server and the KDC are both configured to use the same password. If the server name is not fully qualified, and the target domain (%s) is different from the client domain (%s), check if there are identically named server accounts in these two domains, or use the fully-qualified name to identify the server.", event4Captures},
	"kdc.11":     {"The KDC encountered duplicate names while processing a Kerberos authentication request. The duplicate name is %s (of type %s). This may result in authentication failures or downgrades to NTLM. In order to prevent this from occuring remove the duplicate entries for %s in Active Directory.", kdc11},
	"time.35":    {"The time service is now synchronizing the system time with the time source %s.", unverified},
}

// eventsJapanese are the same on a Japanese Windows. The wording of 1035
// follows the KB's Japanese edition, with its insertion strings in the
// English order; the rest was written for the lab without a capture.
var eventsJapanese = messageTable{
	"1035":       {"エラー %s で受信コネクタ %s の受信認証に失敗しました。認証メカニズムは %s です。Microsoft Exchange への認証を試みたクライアントの送信元 IP アドレスは [%s] です。", "Microsoft KB 979174, Japanese edition (wording; the order of the insertion strings is unverified)"},
	"kerberos.3": {"Kerberos エラー メッセージを受信しました:\r\n ログオン セッション %s\r\n クライアント時刻: \r\n サーバー時刻: %s\r\n エラー コード: %s %s\r\n 拡張エラー: \r\n クライアント領域: \r\n クライアント名: \r\n サーバー領域: %s\r\n サーバー名: %s\r\n ターゲット名: %s\r\n エラー テキスト: \r\n ファイル: 9\r\n 行: f09\r\n エラー データはレコード データ内にあります。", unverified},
	"kerberos.4": {"Kerberos クライアントは、サーバー %s から KRB_AP_ERR_MODIFIED エラーを受け取りました。使用されたターゲット名は %s です。ターゲット サーバーはクライアントから提供されたチケットを復号化できませんでした。ターゲット サーバーのプリンシパル名 (SPN) が、ターゲット サービスが使用しているアカウント以外のアカウントに登録されている場合に発生することがあります。ターゲット ドメイン (%s) がクライアント ドメイン (%s) と異なる場合は、両方のドメインに同じ名前のサーバー アカウントがないか確認してください。", unverified},
	"kdc.11":     {"KDC は Kerberos 認証要求の処理中に重複する名前を検出しました。重複する名前は %s (種類 %s) です。認証の失敗または NTLM へのダウングレードが発生する可能性があります。これを防ぐには、Active Directory で %s の重複するエントリを削除してください。", unverified},
	"time.35":    {"タイム サービスは、タイム ソース %s とシステム時刻を同期しています。", unverified},
}

// eventMessage renders an event's message in the organisation's language
// from its insertion strings, as Windows does when a log is read; an event
// the tables do not know keeps the text it was logged with.
func (o *Org) eventMessage(e Event) string {
	d := func(name string) any { return e.Data[name] }
	var id string
	var args []any
	switch {
	case e.Provider == "MSExchangeTransport" && e.ID == 1035:
		id, args = "1035", []any{d("param1"), d("param2"), d("param3"), d("param4")}
	case e.Provider == providerKerberos && e.ID == 3:
		id, args = "kerberos.3", []any{d("LogonSession"), d("ServerTime"), d("ErrorCode"), d("ErrorMessage"), d("ServerRealm"), d("ServerName"), d("TargetName")}
	case e.Provider == providerKerberos && e.ID == 4:
		id, args = "kerberos.4", []any{d("Server"), d("Targetname"), d("TargetRealm"), d("ClientRealm")}
	case e.Provider == providerKDC && e.ID == 11:
		id, args = "kdc.11", []any{d("param1"), d("param2"), d("param1")}
	case e.Provider == "Microsoft-Windows-Time-Service" && e.ID == 35:
		id, args = "time.35", []any{d("TimeSource")}
	default:
		return e.Message
	}
	return o.locale.text(toolEvents, id, args...)
}
