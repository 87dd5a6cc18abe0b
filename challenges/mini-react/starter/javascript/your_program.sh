#!/bin/sh
# crack runs this script with one argument: the path of its driver, a Node program that loads
# your module into a browser-like DOM (jsdom) and checks what it renders against react-dom.
# Keep this line: it runs the driver with your module, app/main.js.
exec node "$1" "$(dirname "$0")/app/main.js"
