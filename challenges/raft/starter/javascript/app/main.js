// crack starts each node as `./your_program.sh --id n1 --peers n1,n2,n3 --port N --data-dir DIR`.
function option(name, fallback) {
  const args = process.argv.slice(2);
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
}

const id = option("--id", "n1");
const peers = option("--peers", id).split(",");
const port = Number(option("--port", "8000"));
const dataDir = option("--data-dir", "data");

// Debug output goes to the terminal under [your_program n1] while crack grades you.
console.log("Logs from your program will appear here!");

// Your code starts here: listen on 127.0.0.1, port --port, accept crack's network's
// connection and answer the JSON messages that arrive on it, one per line.
// `crack task` shows what to do.
void peers, port, dataDir;
