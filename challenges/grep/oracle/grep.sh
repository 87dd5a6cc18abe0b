#!/bin/sh
# The real tool the grep tester is checked against: GNU grep, run with the tester's
# arguments ([-r] [-o] [-c] [-v] [--color=always] -E PATTERN [FILE...]).
#
# -E becomes -P: the challenge's patterns use \d, which GNU grep's extended syntax does not
# know, while Perl syntax has every feature of the challenge (\d \w [..] [^..] ^ $ + ? .
# (a|b) \1) with the same meaning. Perl matching is leftmost-first, as in a backtracking
# engine. Everything else is passed through unchanged: GNU grep already puts "NAME:" in
# front of lines when it searches several files or a directory.
#
# A UTF-8 C locale keeps \w to ASCII word characters and the output byte-exact; the colour
# variables are cleared so --color=always uses grep's default escape sequences. exec hands
# the process over to grep: nothing is left running, and no file is written.
set -eu
first=1
for arg in "$@"; do
    if [ "$first" = 1 ]; then
        set --
        first=0
    fi
    if [ "$arg" = "-E" ]; then
        set -- "$@" -P
    else
        set -- "$@" "$arg"
    fi
done
unset GREP_COLOR GREP_COLORS GREP_OPTIONS
LC_ALL=C.UTF-8
export LC_ALL
exec grep "$@"
