#!/usr/bin/env node
// Server entry point. Wiring lands with the server issue; until then it says so.
process.stdout.write("promwasm: the server is not wired yet (see docs/ARCHITECTURE.md)\n");
