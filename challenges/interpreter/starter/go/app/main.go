package main

import (
	"fmt"
	"os"
)

func main() {
	// crack runs: ./your_program.sh tokenize|parse|evaluate|run FILE
	// stdout is compared with the reference interpreter's, so write logs to os.Stderr.
	args := os.Args[1:]
	fmt.Fprintln(os.Stderr, "Logs from your program will appear here!")

	// Your code starts here: `crack task` shows what to do.
	_ = args // remove this line once you use them
	os.Exit(1)
}
