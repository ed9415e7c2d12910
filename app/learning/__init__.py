"""Learning: what each learner has completed, and what they should take next."""
