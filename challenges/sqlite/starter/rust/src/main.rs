#[allow(unused_imports)]
use std::fs::File;
#[allow(unused_imports)]
use std::io::Read;
use std::process;

fn main() {
    // crack runs you as: ./your_program.sh DATABASE COMMAND
    // for example:       ./your_program.sh sample.db .dbinfo
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: {} DATABASE COMMAND", args[0]);
        process::exit(1);
    }
    let (database_path, command) = (&args[1], &args[2]);

    // Debug output goes to stderr: crack compares only what you print on stdout.
    eprintln!("Logs from your program will appear here!");

    if command == ".dbinfo" {
        // Your code starts here: `crack task` shows what to do. A first step:
        //
        // let mut header = [0u8; 100];
        // File::open(database_path).unwrap().read_exact(&mut header).unwrap();
        // let page_size = u16::from_be_bytes([header[16], header[17]]);
        // println!("database page size: {}", page_size);
        eprintln!("not implemented yet: {} on {}", command, database_path);
        process::exit(1);
    }
    eprintln!("unknown command: {}", command);
    process::exit(1);
}
