package lab

// toolSetspn is setspn.exe.
const toolSetspn = "setspn"

// kbSetspn is the KB's own setspn -X output (Microsoft KB 979174): in
// English, and in its Japanese edition "処理エントリ 0" and
// "重複する SPN のグループが 0 件見つかりました。".
const kbSetspn = "Microsoft KB 979174, its setspn -X example"

// setspnEnglish is setspn's wording on an English Windows, for -L, -Q
// and -X.
var setspnEnglish = messageTable{
	"checking":      {"Checking %s %s", unverified},
	"domain":        {"domain", unverified},
	"forest":        {"forest", unverified},
	"processing":    {"Processing entry %d", kbSetspn},
	"registeredOn":  {"%s is registered on these accounts:", unverified},
	"found":         {"found %d group of duplicate SPNs.", kbSetspn},
	"registeredFor": {"Registered ServicePrincipalNames for %s:", unverified},
	"noSuch":        {"No such SPN found.", unverified},
	"existing":      {"Existing SPN found!", unverified},
}

// setspnJapanese is the same on a Japanese Windows: the two lines of the
// KB's Japanese edition, the rest written for the lab without a capture.
var setspnJapanese = messageTable{
	"checking":      {"%s %s を確認しています", unverified},
	"domain":        {"ドメイン", unverified},
	"forest":        {"フォレスト", unverified},
	"processing":    {"処理エントリ %d", "Microsoft KB 979174, Japanese edition (setspn -X)"},
	"registeredOn":  {"%s は次のアカウントに登録されています:", unverified},
	"found":         {"重複する SPN のグループが %d 件見つかりました。", "Microsoft KB 979174, Japanese edition (setspn -X)"},
	"registeredFor": {"%s に登録されている ServicePrincipalNames:", unverified},
	"noSuch":        {"そのような SPN は見つかりませんでした。", unverified},
	"existing":      {"既存の SPN が見つかりました。", unverified},
}
