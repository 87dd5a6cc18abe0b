#!/bin/sh
# The real thing the sqlite tester is checked against: the sqlite3 command-line shell,
# called as the learner's program is: run.sh DATABASE COMMAND.
#
#   .dbinfo  -> "database page size: N" and "number of tables: N", from PRAGMA page_size
#               and the sqlite_schema rows of type 'table' (internal ones such as
#               sqlite_sequence included). The shell's own .dbinfo needs the sqlite_dbpage
#               table, which Debian's build leaves out.
#   .tables  -> the names of the tables and views that are not internal (sqlite_...), as
#               the shell's own .tables lists them, sorted, on one line separated by single
#               spaces (the shell's own .tables prints columns).
#   SQL      -> passed through in list mode with | between values.
#
# -init /dev/null keeps a ~/.sqliterc from changing the output; -readonly writes nothing
# beside the file. exec leaves no shell behind.
set -eu

if [ $# -ne 2 ]; then
    echo "usage: $0 DATABASE COMMAND" >&2
    exit 2
fi
database=$1
command=$2
shell() {
    exec sqlite3 -init /dev/null -readonly -batch -list -separator '|' "$database" "$1"
}

case "$command" in
    .dbinfo)
        shell "SELECT 'database page size: ' || page_size FROM pragma_page_size;
               SELECT 'number of tables: ' || count(*) FROM sqlite_schema WHERE type = 'table';"
        ;;
    .tables)
        shell "SELECT group_concat(name, ' ') FROM (
                   SELECT name FROM sqlite_schema
                   WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\_%' ESCAPE '\'
                   ORDER BY name);"
        ;;
    .*)
        echo "Error: unknown command: $command" >&2
        exit 1
        ;;
    *)
        shell "$command"
        ;;
esac
