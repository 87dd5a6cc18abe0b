package main

import (
	"fmt"
	"os"
)

func main() {
	// stdout is what the tester checks (file contents, SHA-1s): print logs to os.Stderr.
	fmt.Fprintln(os.Stderr, "Logs from your program will appear here!")

	command := ""
	if len(os.Args) > 1 {
		command = os.Args[1]
	}
	// Your code starts here: `crack task` shows what to do.
	fmt.Fprintf(os.Stderr, "unknown command: '%s'\n", command)
	os.Exit(1)
}
