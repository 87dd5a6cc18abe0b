// crack runs: ./your_program.sh [OPTIONS] -E PATTERN [FILE...]
// stdout is compared byte for byte with grep's, so write logs to stderr.
const args = process.argv.slice(2); // [OPTIONS] -E PATTERN [FILE...]

console.error("Logs from your program will appear here!");

// Your code starts here: `crack task` shows what to do.
process.exit(1);
