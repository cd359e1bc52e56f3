"""The one exception the command line turns into a one-line message."""


class CLIError(Exception):
    """A problem to report to the user in one line."""


EXIT_ERROR = 1
EXIT_USAGE = 2
