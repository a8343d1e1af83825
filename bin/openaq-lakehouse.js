#!/usr/bin/env node
// The package's command. Node 24 runs the TypeScript sources directly (type stripping).
import { main } from '../job/cli.ts';

process.exitCode = await main(process.argv.slice(2), process.env);
