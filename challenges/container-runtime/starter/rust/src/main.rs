use std::process;

fn main() {
    // crack runs (as root): ./your_program.sh run [OPTIONS] ROOTFS CMD ARGS...
    // stdout belongs to the command you run, so write logs to stderr (eprintln!).
    let args: Vec<String> = std::env::args().skip(1).collect();
    eprintln!("Logs from your program will appear here!");

    // Your code starts here: `crack task` shows what to do.
    let _ = args; // remove this line once you use them
    process::exit(1);
}
