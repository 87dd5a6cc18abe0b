public class Main {
    public static void main(String[] args) {
        // crack starts your program as `./your_program.sh --port N --data-dir DIR`.
        int port = 11300;
        String dataDir = "data";
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--port")) {
                port = Integer.parseInt(args[i + 1]);
            } else if (args[i].equals("--data-dir")) {
                dataDir = args[i + 1];
            }
        }

        // Debug output goes to the terminal under [your_program] while crack grades you.
        System.out.println("Logs from your program will appear here!");

        // Your code starts here: serve beanstalk's protocol on 127.0.0.1, port --port, and keep
        // your files under --data-dir. `crack task` shows what to do.
    }
}
