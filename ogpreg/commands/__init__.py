"""The feature commands of the command line, each registering itself on the click group in
ogpreg/cli.py.
"""
