import java.io.FileInputStream;
import java.io.IOException;

public class Main {
    public static void main(String[] args) throws IOException {
        // crack runs you as: ./your_program.sh DATABASE COMMAND
        // for example:       ./your_program.sh sample.db .dbinfo
        if (args.length < 2) {
            System.err.println("usage: your_program.sh DATABASE COMMAND");
            System.exit(1);
        }
        String databasePath = args[0];
        String command = args[1];

        // Debug output goes to stderr: crack compares only what you print on stdout.
        System.err.println("Logs from your program will appear here!");

        if (command.equals(".dbinfo")) {
            // Your code starts here: `crack task` shows what to do. A first step:
            //
            // try (FileInputStream databaseFile = new FileInputStream(databasePath)) {
            //     byte[] header = databaseFile.readNBytes(100);
            //     int pageSize = ((header[16] & 0xff) << 8) | (header[17] & 0xff);
            //     System.out.println("database page size: " + pageSize);
            // }
            System.err.println("not implemented yet: " + command + " on " + databasePath);
            System.exit(1);
        }
        System.err.println("unknown command: " + command);
        System.exit(1);
    }
}
