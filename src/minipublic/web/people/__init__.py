"""The ``people`` app of the minipublic site."""
