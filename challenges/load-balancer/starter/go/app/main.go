package main

import (
	"flag"
	"fmt"
)

func main() {
	// crack starts your program as `./your_program.sh --port N --config FILE`.
	port := flag.Int("port", 0, "the port to listen on")
	config := flag.String("config", "", "the config file naming the backends")
	flag.Parse()

	// Debug output goes to the terminal under [your_program] while crack grades you.
	fmt.Println("Logs from your program will appear here!")

	// Your code starts here: read the config file named by --config, listen on --port, and
	// forward each request to a backend. `crack task` shows what to do.

	_, _ = port, config // remove this line once you use them
}
