#!/usr/bin/env node
// Entry of the `wsgw-load` command: loads the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
