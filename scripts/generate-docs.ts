// Generates the rules reference from the rules' own metadata: docs/rules.md and the table in README.md.
// `npm run docs` rewrites them; test/docs.test.ts fails when they drift from the code.
import { readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_POLICY } from '#core/policy';
import { RULES } from '#core/rules/index';

const AWS_NONE = '—';

export function rulesTable(): string {
  const rows = RULES.map(({ meta }) => {
    const actions = DEFAULT_POLICY.actions[meta.id].join(', ');
    return `| \`${meta.id}\` | ${meta.resourceTypes.join(', ')} | ${meta.severity} | ${actions} | ${meta.awsConfigRule ? `\`${meta.awsConfigRule}\`` : AWS_NONE} | ${meta.securityHubControl ?? AWS_NONE} |`;
  });
  return [
    '| Rule | Resources | Severity | Default actions | AWS Config rule | Security Hub |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

export function rulesReference(): string {
  const sections = RULES.map(
    ({ meta }) => `## \`${meta.id}\`

${meta.description}

- Resources: ${meta.resourceTypes.join(', ')}
- Severity: ${meta.severity}
- Default actions: ${DEFAULT_POLICY.actions[meta.id].join(', ')}
- AWS Config rule: ${meta.awsConfigRule ?? 'none'}
- Security Hub control: ${meta.securityHubControl ?? 'none'}
- How to fix: ${meta.fix}
`,
  );
  return `# Rules reference

Generated from the rules' metadata by \`npm run docs\`; do not edit by hand.
Rule ids are a public contract: policies, notifications, logs and metrics use them.

${rulesTable()}

${sections.join('\n')}`;
}

const START = '<!-- rules:start -->';
const END = '<!-- rules:end -->';

export function readmeWithRules(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md: markers ${START} ... ${END} not found`);
  return `${readme.slice(0, start + START.length)}\n${rulesTable()}\n${readme.slice(end)}`;
}

if (process.argv[1]?.endsWith('generate-docs.ts')) {
  writeFileSync('docs/rules.md', rulesReference());
  writeFileSync('README.md', readmeWithRules(readFileSync('README.md', 'utf8')));
  console.log('wrote docs/rules.md and the rules table in README.md');
}
