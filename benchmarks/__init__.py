"""Scale benchmark (issue #13): `python -m benchmarks.run`; never part of `make test`."""
