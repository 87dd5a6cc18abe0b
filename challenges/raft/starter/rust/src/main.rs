fn main() {
    // crack starts each node as `./your_program.sh --id n1 --peers n1,n2,n3 --port N --data-dir DIR`.
    let args: Vec<String> = std::env::args().collect();
    let option = |name: &str| {
        args.iter().position(|arg| arg == name).and_then(|at| args.get(at + 1)).cloned()
    };
    let id: String = option("--id").unwrap_or_else(|| "n1".to_string());
    let peers: Vec<String> = option("--peers")
        .unwrap_or_else(|| id.clone())
        .split(',')
        .map(str::to_string)
        .collect();
    let port: u16 = option("--port").and_then(|value| value.parse().ok()).unwrap_or(8000);
    let data_dir: String = option("--data-dir").unwrap_or_else(|| "data".to_string());

    // Debug output goes to the terminal under [your_program n1] while crack grades you.
    println!("Logs from your program will appear here!");

    // Your code starts here: listen on 127.0.0.1, port --port, accept crack's network's
    // connection and answer the JSON messages that arrive on it, one per line.
    // `crack task` shows what to do.

    let _ = (peers, port, data_dir); // remove this line once you use them
}
