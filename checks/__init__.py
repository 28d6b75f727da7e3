"""The claim registry, the verdict model, the runner, the reports and the command line."""
