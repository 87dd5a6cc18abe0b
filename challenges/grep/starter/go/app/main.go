package main

import (
	"fmt"
	"os"
)

func main() {
	// crack runs: ./your_program.sh [OPTIONS] -E PATTERN [FILE...]
	// stdout is compared byte for byte with grep's, so write logs to os.Stderr.
	args := os.Args[1:]
	fmt.Fprintln(os.Stderr, "Logs from your program will appear here!")

	// Your code starts here: `crack task` shows what to do.
	_ = args // remove this line once you use them
	os.Exit(1)
}
