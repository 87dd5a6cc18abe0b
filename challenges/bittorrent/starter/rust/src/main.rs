use std::process;

fn main() {
    // crack runs: ./your_program.sh COMMAND ARGUMENTS... (decode, info, peers, handshake,
    // download_piece, download: `crack task` describes each)
    // the tester reads what you print on stdout, so write logs to stderr (eprintln!).
    let args: Vec<String> = std::env::args().skip(1).collect();
    eprintln!("Logs from your program will appear here!");

    // Your code starts here: `crack task` shows what to do.
    let _ = args; // remove this line once you use them
    process::exit(1);
}
