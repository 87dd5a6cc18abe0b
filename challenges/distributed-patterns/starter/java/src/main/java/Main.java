import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

public class Main {
    public static void main(String[] args) throws IOException {
        // crack starts your program and talks to it over stdin and stdout: one command per line,
        // one reply per line (RING ADD <node>, RING GET <key>, BLOOM HAS <item>, CALL <now_ms> …).
        // stdout carries your replies, so debug output goes to stderr (crack shows it under
        // [your_program]).
        System.err.println("Logs from your program will appear here!");

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            // Your code starts here: answer each command with one line, then flush.
            // `crack task` shows what to do.
            System.out.println("ERROR not written yet: " + line.substring(0, Math.min(40, line.length())));
            System.out.flush();
        }
    }
}
