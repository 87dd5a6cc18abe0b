use std::process;

fn main() {
    // stdout is what the tester checks (file contents, SHA-1s): print logs to stderr.
    eprintln!("Logs from your program will appear here!");

    let args: Vec<String> = std::env::args().collect();
    let command = args.get(1).map(String::as_str).unwrap_or("");
    // Your code starts here: `crack task` shows what to do.
    eprintln!("unknown command: '{}'", command);
    process::exit(1);
}
