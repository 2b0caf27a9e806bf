"""The commands of the command line, one module per concern, each adding its commands to the
click group with ``register(main)`` (listed in ``COMMAND_MODULES`` in ogpreg/cli.py). They
take what they need of the group from ogpreg/context.py, never from cli.py.
"""
