"""The pipeline: parse, classify, detach, strategy, render, check."""
