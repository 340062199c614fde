"""`python -m aiocurl.echo`: the same as the `aiocurl-echo` console script."""

from .cli import main

if __name__ == "__main__":
    main(prog_name="aiocurl-echo")
