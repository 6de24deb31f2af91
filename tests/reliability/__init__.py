"""Reliability: safe publishing, concurrent readers, crashes, bad input and security (issue #11)."""
