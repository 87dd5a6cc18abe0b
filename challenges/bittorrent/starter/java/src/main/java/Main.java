public class Main {
    public static void main(String[] args) {
        // crack runs: ./your_program.sh COMMAND ARGUMENTS... (decode, info, peers, handshake,
        // download_piece, download: `crack task` describes each)
        // the tester reads what you print on stdout, so write logs to System.err.
        System.err.println("Logs from your program will appear here!");

        // Your code starts here: `crack task` shows what to do.
        System.exit(1);
    }
}
