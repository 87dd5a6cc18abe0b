// crack runs: ./your_program.sh tokenize|parse|evaluate|run FILE
// stdout is compared with the reference interpreter's, so write logs to stderr.
const args = process.argv.slice(2); // [COMMAND, FILE]

console.error("Logs from your program will appear here!");

// Your code starts here: `crack task` shows what to do.
process.exit(1);
