from rarex.cli.app import main

main()
