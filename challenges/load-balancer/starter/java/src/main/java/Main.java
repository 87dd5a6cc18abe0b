public class Main {
    public static void main(String[] args) {
        // crack starts your program as `./your_program.sh --port N --config FILE`.
        int port = 0;
        String config = null;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--port")) {
                port = Integer.parseInt(args[i + 1]);
            } else if (args[i].equals("--config")) {
                config = args[i + 1];
            }
        }

        // Debug output goes to the terminal under [your_program] while crack grades you.
        System.out.println("Logs from your program will appear here!");

        // Your code starts here: read the config file named by --config, listen on --port,
        // and forward each request to a backend. `crack task` shows what to do.
    }
}
