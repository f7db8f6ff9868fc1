package inventory

import "runtime"

// sspiAvailable says whether this rectify can use the credentials of the
// Windows user it runs as (SSPI): auth "negotiate" is refused elsewhere.
// Tests set it to check both answers.
var sspiAvailable = runtime.GOOS == "windows"
