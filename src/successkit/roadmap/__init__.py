"""Success roadmaps: lifecycle and maturity stages, tasks and stage playbooks."""
