// Command rectify is the rectify program. It wires the real streams,
// environment, terminal and action registry into internal/cli and exits
// with the code cli.Run returns; everything else lives in internal/cli.
package main
