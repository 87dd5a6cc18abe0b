public class Main {
    public static void main(String[] args) {
        // crack runs: ./your_program.sh tokenize|parse|evaluate|run FILE
        // stdout is compared with the reference interpreter's, so write logs to System.err.
        System.err.println("Logs from your program will appear here!");

        // Your code starts here: `crack task` shows what to do.
        System.exit(1);
    }
}
