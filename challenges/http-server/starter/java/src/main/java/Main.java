import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

public class Main {
    public static void main(String[] args) {
        // crack starts your server as `./your_program.sh --port N --directory D`: N is a free port
        // (not always 4221); D is the folder that later stages serve files from.
        int port = 4221;
        String directory = ".";
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--port")) {
                port = Integer.parseInt(args[i + 1]);
            } else if (args[i].equals("--directory")) {
                directory = args[i + 1];
            }
        }

        // Debug output goes to the terminal under [your_program] while crack grades you.
        System.out.println("Logs from your program will appear here!");

        // Your code starts here. Uncomment this to pass the first stage:
        //
        // try (ServerSocket server = new ServerSocket()) {
        //     // Without SO_REUSEADDR a quick restart fails with "Address already in use".
        //     server.setReuseAddress(true);
        //     server.bind(new InetSocketAddress("127.0.0.1", port));
        //     Socket client = server.accept();
        //     System.out.println("Client connected from " + client.getRemoteSocketAddress());
        // } catch (IOException e) {
        //     System.out.println("IOException: " + e.getMessage());
        // }
    }
}
