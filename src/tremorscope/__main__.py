"""``python -m tremorscope``: the command line, as the ``tremorscope`` command runs it."""

from tremorscope.cli import main

if __name__ == "__main__":
    main()
