package main

import (
	"flag"
	"fmt"
	"net"
	"os"
)

func main() {
	// crack starts your server as `./your_program.sh --port N --directory D`: N is a free port
	// (not always 4221); D is the folder that later stages serve files from.
	port := flag.Int("port", 4221, "the TCP port to listen on")
	directory := flag.String("directory", ".", "the folder later stages serve files from")
	flag.Parse()
	_ = directory // later stages serve files from it

	// Debug output goes to the terminal under [your_program] while crack grades you.
	fmt.Println("Logs from your program will appear here!")

	// Stage 1: bind, listen, accept.
	listener, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", *port))
	if err != nil {
		fmt.Println("Failed to bind to port", *port, err)
		os.Exit(1)
	}
	_, err = listener.Accept()
	if err != nil {
		fmt.Println("Error accepting connection:", err)
		os.Exit(1)
	}
	fmt.Println("Client connected")
}
