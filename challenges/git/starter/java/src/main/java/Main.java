public class Main {
    public static void main(String[] args) {
        // stdout is what the tester checks (file contents, SHA-1s): print logs to System.err.
        System.err.println("Logs from your program will appear here!");

        String command = args.length > 0 ? args[0] : "";
        // Your code starts here: `crack task` shows what to do.
        System.err.println("unknown command: '" + command + "'");
        System.exit(1);
    }
}
