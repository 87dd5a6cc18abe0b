// crack runs (as root): ./your_program.sh run [OPTIONS] ROOTFS CMD ARGS...
// stdout belongs to the command you run, so write logs to stderr.
const args = process.argv.slice(2); // run [OPTIONS] ROOTFS CMD ARGS...

console.error("Logs from your program will appear here!");

// Your code starts here: `crack task` shows what to do.
process.exit(1);
