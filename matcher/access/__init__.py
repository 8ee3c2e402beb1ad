"""Who people are and what they may do: accounts, passwords, tokens and the one access policy."""
