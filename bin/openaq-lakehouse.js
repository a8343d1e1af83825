#!/usr/bin/env -S node --max-semi-space-size=16
// The package's command. Node 24 runs the TypeScript sources directly (type stripping); the
// shebang's flags are job/model/nodeFlags.ts's CLI_NODE_FLAGS.
import { main } from '../job/cli.ts';

process.exitCode = await main(process.argv.slice(2), process.env);
