package main

import (
	"fmt"
	"os"
)

func main() {
	// crack runs (as root): ./your_program.sh run [OPTIONS] ROOTFS CMD ARGS...
	// stdout belongs to the command you run, so write logs to os.Stderr.
	args := os.Args[1:]
	fmt.Fprintln(os.Stderr, "Logs from your program will appear here!")

	// Your code starts here: `crack task` shows what to do.
	_ = args // remove this line once you use them
	os.Exit(1)
}
