// crack starts your program and talks to it over stdin and stdout: one command per line,
// one reply per line (RING ADD <node>, RING GET <key>, BLOOM HAS <item>, CALL <now_ms> …).
const readline = require("node:readline");

// stdout carries your replies, so debug output goes to stderr (crack shows it under
// [your_program]).
console.error("Logs from your program will appear here!");

const lines = readline.createInterface({ input: process.stdin });
lines.on("line", (line) => {
  // Your code starts here: answer each command with one line. `crack task` shows what to do.
  process.stdout.write(`ERROR not written yet: ${line.split(" ").slice(0, 2).join(" ")}\n`);
});
