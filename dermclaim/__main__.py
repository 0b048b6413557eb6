from dermclaim.cli import main

main()
