import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

public class Main {
    public static void main(String[] args) {
        // crack starts your server as `./your_program.sh --port N`: N is a free port, not always 6379.
        int port = 6379;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--port")) {
                port = Integer.parseInt(args[i + 1]);
            }
        }

        // Debug output goes to the terminal under [your_program] while crack grades you.
        System.out.println("Logs from your program will appear here!");

        // Stage 1: bind, listen, accept.
        try (ServerSocket server = new ServerSocket()) {
            // Without SO_REUSEADDR a quick restart fails with "Address already in use".
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress("127.0.0.1", port));
            Socket client = server.accept();
            System.out.println("Client connected from " + client.getRemoteSocketAddress());
        } catch (IOException e) {
            System.out.println("IOException: " + e.getMessage());
        }
    }
}
