const net = require("net");

// crack starts your server as `./your_program.sh --port N`: N is a free port, not always 6379.
function parsePort(args) {
  const at = args.indexOf("--port");
  return at >= 0 ? Number(args[at + 1]) : 6379;
}

const port = parsePort(process.argv.slice(2));

// Debug output goes to the terminal under [your_program] while crack grades you.
console.log("Logs from your program will appear here!");

// Stage 1: bind, listen, accept.
const server = net.createServer((connection) => {
  console.log("Client connected");
});
server.listen(port, "127.0.0.1");
