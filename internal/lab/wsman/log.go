package wsman

import (
	"io"
	"log"
)

// discardLog silences net/http's own logging: clients that hang up or
// send garbage are part of the lab's job, not news.
var discardLog = log.New(io.Discard, "", 0)
