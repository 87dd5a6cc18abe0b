const fs = require("fs");

// crack runs you as: ./your_program.sh DATABASE COMMAND
// for example:       ./your_program.sh sample.db .dbinfo
const [databasePath, command] = process.argv.slice(2);

// Debug output goes to stderr: crack compares only what you print on stdout.
console.error("Logs from your program will appear here!");

if (command === ".dbinfo") {
  // Your code starts here: `crack task` shows what to do. A first step:
  //
  // const header = Buffer.alloc(100);
  // const fd = fs.openSync(databasePath, "r");
  // fs.readSync(fd, header, 0, 100, 0);
  // const pageSize = header.readUInt16BE(16);
  // console.log(`database page size: ${pageSize}`);
  console.error(`not implemented yet: ${command} on ${databasePath}`);
  process.exit(1);
} else {
  console.error(`unknown command: ${command}`);
  process.exit(1);
}
