#!/usr/bin/env python3
"""Merges the API server's function order with the datastore-only server's and the agent's, so
that each process finds the code it runs together: first what the datastore-only server runs
(the smallest process, and code the others share), then what the API server and the agent both
run, then the rest of the API server's, then what only the agent runs. Each part keeps the
first-seen order of its source. usage: merge-order.py SERVER.order DATASTORE.order AGENT.order"""
import sys
server, datastore, agent = ([l.strip() for l in open(p) if l.strip()] for p in sys.argv[1:4])
agent_set, datastore_set = set(agent), set(datastore)
parts = [datastore, [f for f in server if f in agent_set], server, agent]
seen = set()
for part in parts:
    for name in part:
        if name not in seen:
            seen.add(name)
            print(name)
