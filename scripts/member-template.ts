// Writes the member template (organization/member-template.ts) next to the central one: `npm run package`.
// Usage: tsx scripts/member-template.ts [OUT] (default .serverless/sm-guardrails-member.template.json)
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { memberTemplate } from '../organization/member-template.ts';

const out = process.argv[2] ?? '.serverless/sm-guardrails-member.template.json';
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(memberTemplate(), null, 2)}\n`);
process.stdout.write(`member template: ${out}\n`);
