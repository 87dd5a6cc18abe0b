use std::net::TcpListener;

fn main() {
    // crack starts your server as `./your_program.sh --port N --directory D`: N is a free port
    // (not always 4221); D is the folder that later stages serve files from.
    let args: Vec<String> = std::env::args().collect();
    let option = |name: &str| args.iter().position(|arg| arg == name).and_then(|at| args.get(at + 1));
    let port: u16 = option("--port").and_then(|value| value.parse().ok()).unwrap_or(4221);
    let directory: String = option("--directory").cloned().unwrap_or_else(|| ".".to_string());

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
