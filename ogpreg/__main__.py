from ogpreg.cli import main

main()
