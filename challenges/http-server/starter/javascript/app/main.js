const net = require("net");

// crack starts your server as `./your_program.sh --port N --directory D`: N is a free port
// (not always 4221); D is the folder that later stages serve files from.
function option(name, fallback) {
  const args = process.argv.slice(2);
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
}

const port = Number(option("--port", "4221"));
const directory = option("--directory", ".");

// Debug output goes to the terminal under [your_program] while crack grades you.
console.log("Logs from your program will appear here!");

// Your code starts here. Uncomment this to pass the first stage:
//
// const server = net.createServer((connection) => {
//   console.log("Client connected");
// });
// server.listen(port, "127.0.0.1");
