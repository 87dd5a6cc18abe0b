package main

import (
	"flag"
	"fmt"
	"strings"
)

func main() {
	// crack starts each node as `./your_program.sh --id n1 --peers n1,n2,n3 --port N --data-dir DIR`.
	id := flag.String("id", "n1", "this node's id")
	peers := flag.String("peers", "n1", "every node's id, this one's included, separated by commas")
	port := flag.Int("port", 8000, "the port to listen on")
	dataDir := flag.String("data-dir", "data", "this node's folder for its files")
	flag.Parse()

	// Debug output goes to the terminal under [your_program n1] while crack grades you.
	fmt.Println("Logs from your program will appear here!")

	// Your code starts here: listen on 127.0.0.1, port --port, accept crack's network's
	// connection and answer the JSON messages that arrive on it, one per line.
	// `crack task` shows what to do.

	_, _, _, _ = id, strings.Split(*peers, ","), port, dataDir // remove this line once you use them
}
