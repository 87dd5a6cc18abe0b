// crack starts your program as `./your_program.sh --port N --zone FILE [--resolver HOST:PORT]`.
function option(name, fallback) {
  const args = process.argv.slice(2);
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
}

const port = Number(option("--port", "0"));
const zone = option("--zone", null);
const resolver = option("--resolver", null);

// Debug output goes to the terminal under [your_program] while crack grades you.
console.log("Logs from your program will appear here!");

// Your code starts here: answer DNS queries over UDP on 127.0.0.1, port --port, from the
// zone file --zone. `crack task` shows what to do.
