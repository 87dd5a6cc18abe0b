use std::io::{self, BufRead, Write};

fn main() {
    // crack starts your program and talks to it over stdin and stdout: one command per line,
    // one reply per line (RING ADD <node>, RING GET <key>, BLOOM HAS <item>, CALL <now_ms> …).
    // stdout carries your replies, so debug output goes to stderr (crack shows it under
    // [your_program]).
    eprintln!("Logs from your program will appear here!");

    let stdin = io::stdin();
    let mut stdout = io::stdout();
    for line in stdin.lock().lines() {
        let line = line.expect("stdin is readable");
        // Your code starts here: answer each command with one line, then flush.
        // `crack task` shows what to do.
        let shown: String = line.chars().take(40).collect();
        writeln!(stdout, "ERROR not written yet: {shown}").expect("stdout is writable");
        stdout.flush().expect("stdout is writable");
    }
}
