module your_program

go 1.19
