use std::net::TcpListener;

fn main() {
    // crack starts your server as `./your_program.sh --port N`: N is a free port, not always 6379.
    let args: Vec<String> = std::env::args().collect();
    let port: u16 = args
        .iter()
        .position(|arg| arg == "--port")
        .and_then(|at| args.get(at + 1))
        .and_then(|value| value.parse().ok())
        .unwrap_or(6379);

    // Debug output goes to the terminal under [your_program] while crack grades you.
    println!("Logs from your program will appear here!");

    // Stage 1: bind, listen, accept.
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    for stream in listener.incoming() {
        match stream {
            Ok(_stream) => println!("Client connected"),
            Err(error) => println!("accept failed: {}", error),
        }
    }
}
