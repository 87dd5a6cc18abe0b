// crack starts your program as `./your_program.sh --port N --config FILE`.
function option(name, fallback) {
  const args = process.argv.slice(2);
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
}

const port = Number(option("--port", "0"));
const config = option("--config", null);

// Debug output goes to the terminal under [your_program] while crack grades you.
console.log("Logs from your program will appear here!");

// Your code starts here: read the config file named by --config, listen on --port, and
// forward each request to a backend. `crack task` shows what to do.
