from crack.cli import main

main()
