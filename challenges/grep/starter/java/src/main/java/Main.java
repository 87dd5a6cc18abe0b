public class Main {
    public static void main(String[] args) {
        // crack runs: ./your_program.sh [OPTIONS] -E PATTERN [FILE...]
        // stdout is compared byte for byte with grep's, so write logs to System.err.
        System.err.println("Logs from your program will appear here!");

        // Your code starts here: `crack task` shows what to do.
        System.exit(1);
    }
}
