from meddiary.cli import main

main()
