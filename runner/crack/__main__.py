from crack.quick import main

main()
