// crack runs: ./your_program.sh COMMAND ARGUMENTS... (decode, info, peers, handshake,
// download_piece, download: `crack task` describes each)
// the tester reads what you print on stdout, so write logs to stderr.
const args = process.argv.slice(2); // COMMAND ARGUMENTS...

console.error("Logs from your program will appear here!");

// Your code starts here: `crack task` shows what to do.
process.exit(1);
