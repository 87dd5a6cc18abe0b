package main

import (
	"flag"
	"fmt"
)

func main() {
	// crack starts your program as `./your_program.sh --port N --data-dir DIR --jwt-secret S`.
	port := flag.Int("port", 8000, "the port to listen on")
	dataDir := flag.String("data-dir", "data", "the folder for your files")
	jwtSecret := flag.String("jwt-secret", "change-me", "the key that signs tokens")
	flag.Parse()

	// Debug output goes to the terminal under [your_program] while crack grades you.
	fmt.Println("Logs from your program will appear here!")

	// Your code starts here: serve the JSON API on 127.0.0.1, port --port; sign tokens
	// with --jwt-secret from the login stage on. `crack task` shows what to do.

	_, _, _ = port, dataDir, jwtSecret // remove this line once you use them
}
