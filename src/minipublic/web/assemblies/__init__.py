"""The ``assemblies`` app of the minipublic site."""
