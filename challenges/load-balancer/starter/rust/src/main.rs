fn main() {
    // crack starts your program as `./your_program.sh --port N --config FILE`.
    let args: Vec<String> = std::env::args().collect();
    let option = |name: &str| {
        args.iter().position(|arg| arg == name).and_then(|at| args.get(at + 1)).cloned()
    };
    let port: u16 = option("--port").and_then(|value| value.parse().ok()).unwrap_or(0);
    let config: Option<String> = option("--config");

    // Debug output goes to the terminal under [your_program] while crack grades you.
    println!("Logs from your program will appear here!");

    // Your code starts here: read the config file named by --config, listen on --port, and
    // forward each request to a backend. `crack task` shows what to do.

    let _ = (port, config); // remove this line once you use them
}
