from multiprocessing import freeze_support

if __name__ == "__main__":
    # First of all: in a frozen app, multiprocessing's children re-run this binary and must stop
    # here, before the CLI (or Qt) starts.
    freeze_support()

from explorer.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
