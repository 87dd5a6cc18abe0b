fn main() {
    // crack starts your program as `./your_program.sh --port N --zone FILE [--resolver HOST:PORT]`.
    let args: Vec<String> = std::env::args().collect();
    let option = |name: &str| {
        args.iter().position(|arg| arg == name).and_then(|at| args.get(at + 1)).cloned()
    };
    let port: u16 = option("--port").and_then(|value| value.parse().ok()).unwrap_or(0);
    let zone: Option<String> = option("--zone");
    let resolver: Option<String> = option("--resolver");

    // Debug output goes to the terminal under [your_program] while crack grades you.
    println!("Logs from your program will appear here!");

    // Your code starts here: answer DNS queries over UDP on 127.0.0.1, port --port, from
    // the zone file --zone. `crack task` shows what to do.

    let _ = (port, zone, resolver); // remove this line once you use them
}
