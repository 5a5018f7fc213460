# Bump when fixtures.yaml changes: Swarm configs are immutable, so a changed file needs a new name.
export FIXTURES_VERSION=v2
