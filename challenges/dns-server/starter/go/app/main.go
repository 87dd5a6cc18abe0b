package main

import (
	"flag"
	"fmt"
)

func main() {
	// crack starts your program as `./your_program.sh --port N --zone FILE [--resolver HOST:PORT]`.
	port := flag.Int("port", 0, "the port to listen on")
	zone := flag.String("zone", "", "the zone file to serve")
	resolver := flag.String("resolver", "", "HOST:PORT of the upstream resolver (a later stage)")
	flag.Parse()

	// Debug output goes to the terminal under [your_program] while crack grades you.
	fmt.Println("Logs from your program will appear here!")

	// Your code starts here: answer DNS queries over UDP on 127.0.0.1, port --port, from the
	// zone file --zone. `crack task` shows what to do.

	_, _, _ = port, zone, resolver // remove this line once you use them
}
