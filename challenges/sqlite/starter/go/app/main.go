package main

import (
	"encoding/binary"
	"fmt"
	"os"
)

// Keep the "encoding/binary" import used until you uncomment the first step (then delete this).
var _ = binary.BigEndian

func main() {
	// crack runs you as: ./your_program.sh DATABASE COMMAND
	// for example:       ./your_program.sh sample.db .dbinfo
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: your_program.sh DATABASE COMMAND")
		os.Exit(1)
	}
	databasePath, command := os.Args[1], os.Args[2]

	// Debug output goes to stderr: crack compares only what you print on stdout.
	fmt.Fprintln(os.Stderr, "Logs from your program will appear here!")

	if command == ".dbinfo" {
		// Your code starts here: `crack task` shows what to do. A first step:
		//
		// databaseFile, err := os.Open(databasePath)
		// if err != nil {
		// 	fmt.Fprintln(os.Stderr, err)
		// 	os.Exit(1)
		// }
		// header := make([]byte, 100)
		// databaseFile.Read(header)
		// fmt.Printf("database page size: %d\n", binary.BigEndian.Uint16(header[16:18]))
		fmt.Fprintf(os.Stderr, "not implemented yet: %s on %s\n", command, databasePath)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "unknown command: %s\n", command)
	os.Exit(1)
}
