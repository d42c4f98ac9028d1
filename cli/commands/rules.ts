// sm-guardrails rules: lists the rules.
import { RULES } from '#core/rules/index';
import type { RegisterCommand } from '../context.ts';

export const registerRules: RegisterCommand = (program, cli) => {
  program
    .command('rules')
    .description('list the rules: id, severity, resource types')
    .action(
      cli.action(() => {
        for (const { meta } of RULES) {
          cli.io.out(`${meta.id.padEnd(32)} ${meta.severity.padEnd(9)} ${meta.resourceTypes.join(', ')}`);
        }
        return 0;
      }),
    );
};
