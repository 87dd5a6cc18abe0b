fn main() {
    // crack starts your program as `./your_program.sh --port N --data-dir DIR`.
    let args: Vec<String> = std::env::args().collect();
    let option = |name: &str| {
        args.iter().position(|arg| arg == name).and_then(|at| args.get(at + 1)).cloned()
    };
    let port: u16 = option("--port").and_then(|value| value.parse().ok()).unwrap_or(11300);
    let data_dir: String = option("--data-dir").unwrap_or_else(|| "data".to_string());

    // Debug output goes to the terminal under [your_program] while crack grades you.
    println!("Logs from your program will appear here!");

    // Your code starts here: serve beanstalk's protocol on 127.0.0.1, port --port, and keep your
    // files under --data-dir. `crack task` shows what to do.

    let _ = (port, data_dir); // remove this line once you use them
}
