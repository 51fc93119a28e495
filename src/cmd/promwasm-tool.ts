#!/usr/bin/env node
// Tool entry point, in the manner of promtool. Subcommands land with their subsystems.
process.stderr.write("promwasm-tool: no subcommands yet\n");
process.exitCode = 1;
