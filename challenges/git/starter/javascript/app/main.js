// stdout is what the tester checks (file contents, SHA-1s): print logs to stderr.
console.error("Logs from your program will appear here!");

const command = process.argv[2] || "";
// Your code starts here: `crack task` shows what to do.
console.error(`unknown command: '${command}'`);
process.exit(1);
