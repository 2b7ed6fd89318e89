from lanxi_cli.cli import main

main()
