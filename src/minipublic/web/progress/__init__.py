"""The ``progress`` app of the minipublic site."""
