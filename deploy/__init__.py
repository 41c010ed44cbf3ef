"""Running Kalan beyond one machine: the reverse proxy that spreads students over instances, and the
``make cluster`` recipe that starts PostgreSQL, a Chroma server, two instances and the proxy on loopback."""
