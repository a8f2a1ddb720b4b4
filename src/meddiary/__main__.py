from meddiary.entry import main

main()
