from lanxi_cli import main

main()
