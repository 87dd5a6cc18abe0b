public class Main {
    public static void main(String[] args) {
        // Debug output goes to the terminal under [your_program] while crack grades you.
        System.err.println("Logs from your program will appear here!");

        // Your code starts here: read the task with `crack task`.
    }
}
