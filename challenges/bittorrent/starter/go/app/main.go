package main

import (
	"fmt"
	"os"
)

func main() {
	// crack runs: ./your_program.sh COMMAND ARGUMENTS... (decode, info, peers, handshake,
	// download_piece, download: `crack task` describes each)
	// the tester reads what you print on stdout, so write logs to os.Stderr.
	args := os.Args[1:]
	fmt.Fprintln(os.Stderr, "Logs from your program will appear here!")

	// Your code starts here: `crack task` shows what to do.
	_ = args // remove this line once you use them
	os.Exit(1)
}
