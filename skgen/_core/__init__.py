"""What every skgen estimator shares: the base class, seeding, threads, device, callbacks."""
