package main

import (
	"flag"
	"fmt"
)

func main() {
	// crack starts your program as `./your_program.sh --port N --data-dir DIR`.
	port := flag.Int("port", 11300, "the port to listen on")
	dataDir := flag.String("data-dir", "data", "the folder for your files")
	flag.Parse()

	// Debug output goes to the terminal under [your_program] while crack grades you.
	fmt.Println("Logs from your program will appear here!")

	// Your code starts here: serve beanstalk's protocol (put, reserve, delete) on 127.0.0.1, port
	// --port, and keep your files under --data-dir. `crack task` shows what to do.

	_, _ = port, dataDir // remove this line once you use them
}
