// crack starts your program as `./your_program.sh --port N --data-dir DIR --jwt-secret S`.
function option(name, fallback) {
  const args = process.argv.slice(2);
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
}

const port = Number(option("--port", "8000"));
const dataDir = option("--data-dir", "data");
const jwtSecret = option("--jwt-secret", "change-me");

// Debug output goes to the terminal under [your_program] while crack grades you.
console.log("Logs from your program will appear here!");

// Your code starts here: serve the JSON API on 127.0.0.1, port --port; sign tokens with
// --jwt-secret from the login stage on. `crack task` shows what to do.
