package main

import (
	"bufio"
	"fmt"
	"os"
)

func main() {
	// crack starts your program and talks to it over stdin and stdout: one command per line,
	// one reply per line (RING ADD <node>, RING GET <key>, BLOOM HAS <item>, CALL <now_ms> …).
	// stdout carries your replies, so debug output goes to stderr (crack shows it under
	// [your_program]).
	fmt.Fprintln(os.Stderr, "Logs from your program will appear here!")

	scanner := bufio.NewScanner(os.Stdin)
	scanner.Buffer(make([]byte, 1<<16), 1<<20)
	for scanner.Scan() {
		line := scanner.Text()
		// Your code starts here: answer each command with one line. `crack task` shows what to do.
		shown := line
		if len(shown) > 40 {
			shown = shown[:40]
		}
		fmt.Printf("ERROR not written yet: %s\n", shown)
	}
}
