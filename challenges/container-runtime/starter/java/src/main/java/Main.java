public class Main {
    public static void main(String[] args) {
        // crack runs (as root): ./your_program.sh run [OPTIONS] ROOTFS CMD ARGS...
        // stdout belongs to the command you run, so write logs to System.err.
        System.err.println("Logs from your program will appear here!");

        // Your code starts here: `crack task` shows what to do.
        System.exit(1);
    }
}
