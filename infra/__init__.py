"""The AWS deployment: a CDK app whose resources come from the code's own registries."""
