public class Main {
    public static void main(String[] args) {
        // crack starts each node as `./your_program.sh --id n1 --peers n1,n2,n3 --port N --data-dir DIR`.
        String id = "n1";
        String[] peers = {"n1"};
        int port = 8000;
        String dataDir = "data";
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--id")) {
                id = args[i + 1];
            } else if (args[i].equals("--peers")) {
                peers = args[i + 1].split(",");
            } else if (args[i].equals("--port")) {
                port = Integer.parseInt(args[i + 1]);
            } else if (args[i].equals("--data-dir")) {
                dataDir = args[i + 1];
            }
        }

        // Debug output goes to the terminal under [your_program n1] while crack grades you.
        System.out.println("Logs from your program will appear here!");

        // Your code starts here: listen on 127.0.0.1, port --port, accept crack's network's
        // connection and answer the JSON messages that arrive on it, one per line.
        // `crack task` shows what to do.
    }
}
