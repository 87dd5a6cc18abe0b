// crack starts your program as `./your_program.sh --port N --data-dir DIR`.
function option(name, fallback) {
  const args = process.argv.slice(2);
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
}

const port = Number(option("--port", "11300"));
const dataDir = option("--data-dir", "data");

// Debug output goes to the terminal under [your_program] while crack grades you.
console.log("Logs from your program will appear here!");

// Your code starts here: serve beanstalk's protocol on 127.0.0.1, port --port, and keep your files
// under --data-dir. `crack task` shows what to do.
