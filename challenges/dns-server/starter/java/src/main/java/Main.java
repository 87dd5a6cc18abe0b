public class Main {
    public static void main(String[] args) {
        // crack starts your program as `./your_program.sh --port N --zone FILE [--resolver HOST:PORT]`.
        int port = 0;
        String zone = null;
        String resolver = null;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--port")) {
                port = Integer.parseInt(args[i + 1]);
            } else if (args[i].equals("--zone")) {
                zone = args[i + 1];
            } else if (args[i].equals("--resolver")) {
                resolver = args[i + 1];
            }
        }

        // Debug output goes to the terminal under [your_program] while crack grades you.
        System.out.println("Logs from your program will appear here!");

        // Your code starts here: answer DNS queries over UDP on 127.0.0.1, port --port,
        // from the zone file --zone. `crack task` shows what to do.
    }
}
